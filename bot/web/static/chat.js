"use strict";
// The web chat talks to the same conversation engine as Telegram and Zalo.
const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("text");
const photo = document.getElementById("photo");
const notice = document.getElementById("notice");
let lastId = 0;

function show(text, who) {
  const div = document.createElement("div");
  div.className = "msg " + who;
  div.textContent = text;
  log.appendChild(div);
  log.scrollTop = log.scrollHeight;
  return div;
}

function warn(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function choice(button, box) {
  const el = document.createElement("button");
  el.type = "button";
  el.textContent = button.label;
  el.addEventListener("click", () => {
    box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    if (button.request === "location") {
      shareLocation();
    } else {
      show(button.label, "me");
      send({ button: button.payload });
    }
  });
  return el;
}

function render(message) {
  const div = show(message.text, "bot");
  const buttons = (message.buttons || []).flat()
    .filter((b) => b.request !== "contact");
  if (buttons.length) {
    const box = document.createElement("div");
    box.className = "choices";
    buttons.forEach((b) => box.appendChild(choice(b, box)));
    div.appendChild(box);
  }
}

async function poll() {
  try {
    const res = await fetch("/api/chat/messages?after=" + lastId);
    const body = await res.json();
    if (!res.ok) { warn(body.error || "Không kết nối được máy chủ."); return; }
    warn("");
    for (const m of body.messages) { lastId = Math.max(lastId, m.id); render(m); }
  } catch (err) {
    warn("Mất kết nối. Đang thử lại…");
  }
}

async function send(body) {
  body.id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  try {
    const res = await fetch("/api/chat/messages", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (!res.ok) { warn((await res.json()).error); return; }
  } catch (err) {
    warn("Không gửi được. Anh/chị vui lòng thử lại.");
    return;
  }
  setTimeout(poll, 300);
}

function shareLocation() {
  if (!navigator.geolocation) { warn("Trình duyệt không hỗ trợ vị trí. Anh/chị nhập địa chỉ."); return; }
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      show("[Vị trí hiện tại]", "me");
      send({ location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude } });
    },
    () => warn("Không lấy được vị trí. Anh/chị nhập địa chỉ."),
  );
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  show(text, "me");
  input.value = "";
  send({ text });
});

photo.addEventListener("change", async () => {
  const file = photo.files[0];
  if (!file) return;
  show("[Ảnh] " + file.name, "me");
  const data = new FormData();
  data.append("file", file);
  try {
    const res = await fetch("/api/chat/photo", { method: "POST", body: data });
    if (!res.ok) warn((await res.json()).error);
  } catch (err) {
    warn("Không gửi được ảnh. Anh/chị vui lòng thử lại.");
  }
  photo.value = "";
  setTimeout(poll, 300);
});

poll().then(() => { if (lastId === 0) send({ text: "/start" }); });
setInterval(poll, 1500);
