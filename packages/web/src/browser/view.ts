import type { FieldIssue } from './answer.js';

export type Phase = 'sending' | 'sent' | 'queued' | 'rejected';

export interface Messages {
  sending: string;
  sent: string;
  queued: string;
  rejected: string;
}

export const DEFAULT_MESSAGES: Messages = {
  sending: 'Sending…',
  sent: 'Thank you, your message has been sent.',
  queued: 'Saved. It will be sent as soon as you are back online.',
  rejected: 'Please check the highlighted fields.',
};

const ERROR_CLASS = 'leadsync-field-error';

/**
 * Feedback a screen reader announces: one live region for the form's state, and each field's
 * error right after the field, tied to it with aria-describedby and aria-invalid.
 */
export function statusRegion(form: HTMLFormElement): HTMLElement {
  const existing = form.querySelector<HTMLElement>('[data-leadsync-status]');
  if (existing) return existing;
  const region = document.createElement('p');
  region.setAttribute('data-leadsync-status', '');
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  region.className = 'leadsync-status';
  form.append(region);
  return region;
}

export function showPhase(form: HTMLFormElement, phase: Phase, text: string): void {
  const region = statusRegion(form);
  region.dataset.phase = phase;
  region.textContent = text;
  form.setAttribute('aria-busy', String(phase === 'sending'));
}

export function clearFieldErrors(form: HTMLFormElement): void {
  for (const el of Array.from(form.querySelectorAll(`.${ERROR_CLASS}`))) el.remove();
  for (const el of Array.from(form.querySelectorAll('[aria-invalid="true"]'))) {
    el.removeAttribute('aria-invalid');
    const described = (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id && !id.startsWith('leadsync-error-'));
    if (described.length) el.setAttribute('aria-describedby', described.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

let errorIds = 0;

/** Puts each issue beside the field it names; returns the ones no field of this form matches. */
export function showFieldErrors(form: HTMLFormElement, issues: FieldIssue[]): FieldIssue[] {
  const unmatched: FieldIssue[] = [];
  let first: HTMLElement | undefined;
  for (const issue of issues) {
    const field = form.elements.namedItem(issue.path.split('.')[0] ?? '');
    if (!(field instanceof HTMLElement)) {
      unmatched.push(issue);
      continue;
    }
    const error = document.createElement('span');
    error.id = `leadsync-error-${++errorIds}`;
    error.className = ERROR_CLASS;
    error.dataset.field = issue.path;
    error.textContent = issue.message;
    field.after(error);
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', `${field.getAttribute('aria-describedby') ?? ''} ${error.id}`.trim());
    first ??= field;
  }
  first?.focus();
  return unmatched;
}
