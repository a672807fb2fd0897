// The live parts of a ticket page (messenger, presence), on top of htmx's SSE extension.
// Without JavaScript the page shows the state at load time and every form still works.

// A chat line can arrive twice: on the stream, and in the panel the sender's own POST brings back.
function tidyChat() {
  const log = document.getElementById('chat-log');
  if (!log) return;
  const seen = new Set();
  for (const line of [...log.querySelectorAll('.chat-line')]) {
    if (seen.has(line.id)) line.remove();
    else seen.add(line.id);
  }
  log.scrollTop = log.scrollHeight;
}

document.addEventListener('DOMContentLoaded', tidyChat);
document.addEventListener('htmx:after:swap', (event) => {
  tidyChat();
  // After sending a line the panel is new: keep writing where one was.
  const source = event.detail && event.detail.ctx && event.detail.ctx.sourceElement;
  if (source instanceof Element && source.matches('.chat-form')) {
    const box = document.getElementById('chat-body');
    if (box) box.focus();
  }
});

// "Dana is replying": while an agent types in a reply or chat box, tell the server every few seconds.
const PING_EVERY_MS = 3000;
let lastPing = 0;
document.addEventListener('input', (event) => {
  const field = event.target;
  if (!(field instanceof HTMLTextAreaElement)) return;
  const holder = field.closest('[data-typing]');
  const url = holder && holder.getAttribute('data-typing');
  if (!url || Date.now() - lastPing < PING_EVERY_MS) return;
  lastPing = Date.now();
  const token = holder.closest('form') && holder.closest('form').querySelector('input[name="_csrf"]');
  fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': token ? token.value : '' } }).catch(() => undefined);
});
