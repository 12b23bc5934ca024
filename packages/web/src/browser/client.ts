import type { FieldIssue } from './answer.js';
import { widgetToken } from './captcha.js';
import { intakeUrl, type LeadSource } from './endpoint.js';
import { FILL_TIME_FIELD, formToObject, HONEYPOT_FIELD, withPageContext } from './fields.js';
import { Outbox } from './outbox.js';
import { type Outcome, Sender } from './sender.js';
import { clearFieldErrors, DEFAULT_MESSAGES, type Messages, showFieldErrors, showPhase, statusRegion } from './view.js';

export type { FieldIssue, LeadSource, Messages, Outcome };

export interface SendOptions {
  /** The leadsync API's base URL (or a full intake URL); default: where this script came from. */
  endpoint?: string;
  source?: LeadSource;
}

export interface AttachOptions extends SendOptions {
  messages?: Partial<Messages>;
}

function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked by the visitor's settings
  }
}

/** The bits of the browser the client needs, wired once per page. */
export function createClient(scriptUrl: string) {
  const sender = new Sender({
    outbox: new Outbox(localStore()),
    fetch: (...args) => window.fetch(...args),
    now: () => Date.now(),
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (t) => window.clearTimeout(t as number),
    freshToken: (captcha) => widgetToken(captcha, (ms) => new Promise((done) => window.setTimeout(done, ms))),
  });

  const urlFor = (source: LeadSource, options: SendOptions) =>
    intakeUrl(source, options.endpoint, scriptUrl, location.href);

  /** For a chatbot (or any script): resolves sent, queued (retried until it is sent) or rejected. */
  function send(data: Record<string, unknown>, options: SendOptions = {}): Promise<Outcome> {
    return sender.submit(urlFor(options.source ?? 'chatbot', options), data);
  }

  /** Turns an existing form into a leadsync form: same markup, plus a honeypot and a fill timer. */
  function attach(form: HTMLFormElement, options: AttachOptions = {}): void {
    const messages = { ...DEFAULT_MESSAGES, ...options.messages };
    const url = urlFor(options.source ?? 'quote_form', options);
    const started = performance.now();
    addHoneypot(form);
    statusRegion(form);

    const settled = (outcome: Outcome) => {
      if (outcome.status === 'sent') {
        form.reset();
        showPhase(form, 'sent', messages.sent);
      } else if (outcome.status === 'rejected') {
        const unmatched = showFieldErrors(form, outcome.issues);
        const extra = unmatched.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join(' ');
        showPhase(form, 'rejected', extra ? `${messages.rejected} ${extra}` : messages.rejected);
      }
      form.dispatchEvent(new CustomEvent(`leadsync:${outcome.status}`, { detail: outcome }));
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (form.getAttribute('aria-busy') === 'true') return; // a double click sends once
      clearFieldErrors(form);
      showPhase(form, 'sending', messages.sending);
      const body = withPageContext(formToObject(new FormData(form)), location.href);
      body[FILL_TIME_FIELD] = Math.round(performance.now() - started);
      const outcome = await sender.submit(url, body, settled);
      if (outcome.status === 'queued') {
        showPhase(form, 'queued', messages.queued);
        form.dispatchEvent(new CustomEvent('leadsync:queued', { detail: outcome }));
      } else {
        settled(outcome);
      }
    });
  }

  /** Whatever an earlier visit left unsent goes now, and again whenever the browser is back online. */
  function start(): void {
    void sender.flush();
    window.addEventListener('online', () => void sender.resume());
  }

  return { attach, send, flush: () => sender.flush(), start };
}

/**
 * Bots fill every field; people never see this one. Off-screen rather than display:none (some
 * bots skip hidden inputs), out of the tab order and hidden from screen readers.
 */
function addHoneypot(form: HTMLFormElement): void {
  if (form.elements.namedItem(HONEYPOT_FIELD)) return;
  const wrap = document.createElement('div');
  wrap.setAttribute('aria-hidden', 'true');
  wrap.style.cssText = 'position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden';
  const input = document.createElement('input');
  input.type = 'text';
  input.name = HONEYPOT_FIELD;
  input.tabIndex = -1;
  input.autocomplete = 'off';
  wrap.append(input);
  form.append(wrap);
}
