/**
 * The add-task form. The schema module's checks run in the runtime before anything is
 * written; a `ValidationError` lists the failing paths, and each message goes next to the
 * field its path names.
 */
import { ValidationError } from 'event-sourced-rules-engine';
import { byId } from './dom.js';

/** The form's fields, as the TASK_ADDED payload names them. */
export type TaskFields = { title: string; tag: string };

const FIELDS = ['title', 'tag'] as const;

/**
 * Wires the form: `submit` gets the raw field values; when it throws a ValidationError its
 * issues are shown next to the fields, any other error goes to `onError`.
 */
export function wireAddForm(submit: (fields: TaskFields) => Promise<void>, onError: (error: unknown) => void): void {
  const form = byId<HTMLFormElement>('add-task');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const fields: TaskFields = { title: String(data.get('title') ?? ''), tag: String(data.get('tag') ?? '') };
    showErrors(form, undefined);
    submit(fields).then(
      () => form.reset(),
      (error: unknown) => (error instanceof ValidationError ? showErrors(form, error) : onError(error)),
    );
  });
}

/** Puts each issue's message next to the field its path starts with (others next to the button). */
function showErrors(form: HTMLFormElement, error: ValidationError | undefined): void {
  const messages = new Map<string, string[]>();
  for (const issue of error?.issues ?? []) {
    const field = FIELDS.find((name) => issue.path[0] === name) ?? 'form';
    messages.set(field, [...(messages.get(field) ?? []), issue.message]);
  }
  for (const field of [...FIELDS, 'form'] as const) {
    const text = messages.get(field)?.join('; ') ?? '';
    const output = form.querySelector<HTMLElement>(`[data-error-for="${field}"]`);
    if (output) output.textContent = text;
    form.querySelector(`[name="${field}"]`)?.toggleAttribute('aria-invalid', text !== '');
  }
}
