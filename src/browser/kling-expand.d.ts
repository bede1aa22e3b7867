// Types of the host bundle's module, kling-expand.js: its options, mount()'s handle, the
// <kling-expand> element and every event's detail.

/** The options of mount() and setOptions(); the scalars are also the element's attributes. */
export interface KlingExpandOptions {
  /** Base URL of the proxy's API (absolute, or relative to the page). Default "/api/kling". */
  endpoint?: string;
  /** Which provider's paths and shapes the endpoint speaks. Default "kling". */
  dialect?: 'kling' | 'cometapi' | 'kkiai' | 'modellix';
  /** A language tag such as "en" or "zh-CN"; default the browser's language. */
  locale?: string;
  /** Default "auto" (follows prefers-color-scheme). */
  theme?: 'light' | 'dark' | 'auto';
  /** The aspect the widget starts with: a preset, or any "W:H" (a custom shape). */
  aspect?: 'original' | '1:1' | '4:3' | '3:4' | '3:2' | '2:3' | '16:9' | '9:16' | '21:9' | `${number}:${number}`;
  /** The canvas area as a multiple of the picture's, from 1 to 3. */
  area?: number | `${number}`;
  /** Where the picture sits in the new canvas. */
  anchor?:
    | 'top-left' | 'top' | 'top-right'
    | 'left' | 'center' | 'right'
    | 'bottom-left' | 'bottom' | 'bottom-right';
  /** How many pictures a press of Expand asks for, 1 to 9. */
  images?: number | `${number}`;
  /**
   * Gives the access token for the proxy (asked again when the proxy says it expired). A
   * property, not an attribute; on <kling-expand>, set `element.getToken`.
   */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** A locale pack (strings by key). A property, not an attribute. */
  localePack?: Record<string, string>;
}

export interface KlingExpandPictureDetail {
  /** As displayed (EXIF orientation applied), in pixels. */
  width: number;
  height: number;
  /** null for a picture given by URL. */
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'avif' | 'heic' | null;
  /** The fix-ups that made this picture from the one given, oldest first. */
  fixups: Array<'upright' | 'convert' | 'shrink' | 'crop'>;
}

export interface KlingExpandSubmittedDetail {
  taskId: string;
  /** The widget's own id for the task (never paid for twice). */
  externalTaskId: string | null;
}

export interface KlingExpandProgressDetail {
  status: 'submitted' | 'processing';
  /** Since Expand was pressed. */
  elapsedMs: number;
}

export interface KlingExpandSucceededDetail {
  taskId: string;
  images: Array<{ index: number; /** Absolute. */ url: string; width: number | null; height: number | null }>;
}

export interface KlingExpandFailedDetail {
  /** "task_failed" when the provider ran the task and it failed; else why a call failed. */
  category:
    | 'task_failed' | 'configuration' | 'billing' | 'permission' | 'invalid_input'
    | 'content_policy' | 'rate_limited' | 'server' | 'not_found' | 'not_offered' | 'network'
    | 'protocol' | 'sign_in' | 'quota';
  /** The provider's (or the proxy's) numeric code, when it gave one. */
  code: number | null;
  /** The sentence the widget shows. */
  message: string;
}

export interface KlingExpandCancelledDetail {
  /** null when the task was not known yet. */
  taskId: string | null;
}

/** Every event, by type; each is a CustomEvent that bubbles and is composed. */
export interface KlingExpandEventMap {
  'kling-expand-picture': KlingExpandPictureDetail;
  'kling-expand-submitted': KlingExpandSubmittedDetail;
  'kling-expand-progress': KlingExpandProgressDetail;
  'kling-expand-succeeded': KlingExpandSucceededDetail;
  'kling-expand-failed': KlingExpandFailedDetail;
  'kling-expand-cancelled': KlingExpandCancelledDetail;
}

type ShortName<K> = K extends `kling-expand-${infer S}` ? S : never;
type EventType = keyof KlingExpandEventMap;

export interface KlingExpandHandle {
  /** Changes some options (null or undefined puts one back to its default). Throws a TypeError naming a wrong option; then nothing changes. */
  setOptions(options: KlingExpandOptions): void;
  /** Ends the widget: it leaves the element and stops polling. */
  destroy(): void;
  /** Hears one kind of event (with or without the "kling-expand-" prefix); returns the unsubscribe function. */
  on<K extends EventType>(type: K | ShortName<K>, listener: (detail: KlingExpandEventMap[K]) => void): () => void;
}

/**
 * Mounts a widget into `element` (which must be in the document). Mounting again into the same
 * element updates its options and returns the same handle. Throws a TypeError naming a wrong option.
 */
export function mount(element: Element, options?: KlingExpandOptions): KlingExpandHandle;

export interface KlingExpandElement extends HTMLElement {
  getToken?: KlingExpandOptions['getToken'];
  localePack?: KlingExpandOptions['localePack'];
  addEventListener<K extends EventType>(
    type: K,
    listener: (this: KlingExpandElement, event: CustomEvent<KlingExpandEventMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'kling-expand': KlingExpandElement;
  }
  interface HTMLElementEventMap {
    'kling-expand-picture': CustomEvent<KlingExpandPictureDetail>;
    'kling-expand-submitted': CustomEvent<KlingExpandSubmittedDetail>;
    'kling-expand-progress': CustomEvent<KlingExpandProgressDetail>;
    'kling-expand-succeeded': CustomEvent<KlingExpandSucceededDetail>;
    'kling-expand-failed': CustomEvent<KlingExpandFailedDetail>;
    'kling-expand-cancelled': CustomEvent<KlingExpandCancelledDetail>;
  }
}
