// The demo page's wiring: a quote form attached as is, and a tiny chat that posts its transcript
// with leadsync.send once the visitor has given an email address or a phone number.
/* global leadsync */
leadsync.attach(document.getElementById('quote-form'), { source: 'quote_form' });

const log = document.getElementById('chat-log');
const chatForm = document.getElementById('chat-form');
const input = document.getElementById('chat-input');
const status = document.getElementById('chat-status');
const transcript = [];
const sessionId = `demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const contact = {};

function say(role, content) {
  transcript.push({ role, content });
  const item = document.createElement('li');
  item.dataset.role = role;
  item.textContent = `${role === 'bot' ? 'Bot' : 'You'}: ${content}`;
  log.append(item);
}

say('bot', 'Hello! What can we help you with?');

chatForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  say('user', text);
  const email = text.match(/[^\s@]+@[^\s@]+\.[^\s@]+/);
  const phone = text.match(/\+?[\d][\d ().-]{5,}\d/);
  if (email) contact.email = email[0];
  if (phone) contact.phone = phone[0];
  if (!contact.email && !contact.phone) {
    say('bot', 'Thanks! What email address or phone number can we reach you on?');
    return;
  }
  say('bot', 'Thank you, a colleague will be in touch.');
  const outcome = await leadsync.send({ ...contact, transcript, session_id: sessionId }, { source: 'chatbot' });
  status.dataset.phase = outcome.status;
  status.textContent =
    outcome.status === 'sent'
      ? 'Sent.'
      : outcome.status === 'queued'
        ? 'Saved. It will be sent as soon as you are back online.'
        : `Please check: ${outcome.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
});
