// The host bundle's module, dist/embed/kling-expand.js (scripts/build-embed.mjs bundles this
// file with wasm-bindgen's glue and glue.js). Importing it loads the wasm beside it (relative to
// import.meta.url, so it works from any path or origin), links the stylesheet beside it unless
// the page did, starts every [data-kling-expand] widget once the page is parsed, defines
// <kling-expand> and exports mount(). A second copy of the module on the page (another URL, a
// bundler's duplicate) starts nothing of its own: it uses the first copy's widgets.
import init from 'kling-expand:wasm';
import { hostOf, hosts, useAsModule, widgetEntry } from 'kling-expand:glue';

const SCALARS = ['endpoint', 'dialect', 'locale', 'theme', 'aspect', 'area', 'anchor', 'images'];
// Options that are functions or objects: they stay in JavaScript, as properties of the host.
const PROPERTIES = { getToken: 'function', localePack: 'object' };
const EVENTS = ['picture', 'submitted', 'progress', 'succeeded', 'failed', 'cancelled']
  .map((name) => `kling-expand-${name}`);

const fail = (message) => { throw new TypeError(`kling-expand: ${message}`); };
const describe = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/** Checks mount()'s options: the scalars as text (for the wasm), the properties as they are. */
function split(options) {
  if (options === null || typeof options !== 'object') fail(`the options are an object, not ${describe(options)}.`);
  const scalars = {};
  const properties = {};
  for (const [name, value] of Object.entries(options)) {
    if (SCALARS.includes(name)) {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' && typeof value !== 'number') {
        fail(`the option "${name}" accepts text or a number; it was given ${describe(value)}.`);
      }
      scalars[name] = String(value);
    } else if (Object.hasOwn(PROPERTIES, name)) {
      if (value != null && typeof value !== PROPERTIES[name]) {
        fail(`the option "${name}" accepts ${PROPERTIES[name] === 'function' ? 'a function' : 'an object'}; it was given ${describe(value)}.`);
      }
      properties[name] = value ?? undefined;
    } else {
      fail(`there is no option "${name}"; the options are ${[...SCALARS, ...Object.keys(PROPERTIES)].join(', ')}.`);
    }
  }
  return { scalars, properties };
}

function setProperties(element, properties) {
  const host = hostOf(element);
  if ('getToken' in properties) element.keBearer = undefined;
  host.properties = { ...properties };
}

/** mount(), below, of this copy of the module. */
function mountHere(element, options = {}) {
  if (!(element instanceof Element)) fail(`mount() takes an element first; it was given ${describe(element)}.`);
  if (!element.isConnected) fail('mount() takes an element that is in the document.');
  const { scalars, properties } = split(options);
  const id = widgetEntry().mount(element, scalars, true);
  const host = hostOf(element);
  setProperties(element, properties);
  host.id = id;
  host.options = { ...options };
  if (host.handle?.id === id) return host.handle;
  const handle = {
    id,
    setOptions(changes = {}) {
      if (changes === null || typeof changes !== 'object') fail(`setOptions() takes an object; it was given ${describe(changes)}.`);
      const next = { ...host.options };
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined || value === null) delete next[name];
        else next[name] = value;
      }
      const checked = split(next);
      widgetEntry().update(id, checked.scalars, true);
      setProperties(element, checked.properties);
      host.options = next;
    },
    destroy() {
      widgetEntry().end(id);
      if (host.handle === handle) {
        host.handle = undefined;
        host.id = undefined;
        host.listeners.clear();
        host.properties = {};
      }
    },
    on(type, listener) {
      const name = String(type).startsWith('kling-expand-') ? String(type) : `kling-expand-${type}`;
      if (!EVENTS.includes(name)) fail(`on() takes one of ${EVENTS.join(', ')}; it was given "${type}".`);
      if (typeof listener !== 'function') fail(`on() takes a function as its listener; it was given ${describe(listener)}.`);
      let listeners = host.listeners.get(name);
      if (!listeners) host.listeners.set(name, (listeners = new Set()));
      const own = (detail) => listener(detail);
      listeners.add(own);
      return () => { listeners.delete(own); };
    },
  };
  host.handle = handle;
  return handle;
}

/** `<kling-expand>`: the attributes are the options; removing the element ends the widget. */
function defineElement() {
  if (customElements.get('kling-expand')) return;
  customElements.define('kling-expand', class extends HTMLElement {
    static observedAttributes = SCALARS;

    options() {
      const options = {};
      for (const name of SCALARS) {
        const value = this.getAttribute(name);
        if (value !== null) options[name] = value;
      }
      return options;
    }

    connectedCallback() {
      const host = hostOf(this);
      if (host.id === undefined) host.id = widgetEntry().mount(this, this.options(), false);
    }

    disconnectedCallback() {
      // Moved rather than removed when it is back in the document by then.
      queueMicrotask(() => {
        const host = hosts.get(this);
        if (this.isConnected || host?.id === undefined) return;
        widgetEntry().end(host.id);
        host.id = undefined;
      });
    }

    attributeChangedCallback() {
      const id = hosts.get(this)?.id;
      if (id !== undefined) widgetEntry().update(id, this.options(), false);
    }
  });
}

function linkStylesheet() {
  const href = new URL('kling-expand.css', import.meta.url).href;
  const linked = [...document.querySelectorAll('link[rel~="stylesheet"]')].some((link) => link.href === href);
  if (linked) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

async function start() {
  useAsModule(new URL('.', import.meta.url).href);
  linkStylesheet();
  await init({ module_or_path: new URL('kling-expand_bg.wasm', import.meta.url) });
  defineElement();
  return { mount: mountHere };
}

/**
 * Mounts a widget into `element` (in the document) and returns its handle. Mounting into an
 * element that has a widget gives it the options and returns the same handle, so a framework that
 * mounts twice makes one widget. A wrong option throws a TypeError and mounts nothing.
 */
export const { mount } = await (globalThis[Symbol.for('kling-expand')] ??= start());
