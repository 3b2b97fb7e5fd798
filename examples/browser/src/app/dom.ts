/** The few DOM helpers the app needs: no framework, just elements. */

/** Attributes of {@link h}: strings become attributes, functions `on<event>` listeners. */
type Attributes = Record<string, string | boolean | ((event: Event) => void) | undefined>;

/** Creates an element with attributes and children: `h('button', { onclick }, 'Add')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children);
  return element;
}

/** The element with this id; throws when the page lacks it (a broken index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no element #${id}`);
  return element as T;
}
