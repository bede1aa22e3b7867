// Loads the host bundle as soon as possible (from `?bundle=URL`, or this site's ./kling/), and
// notes whether it had started before the page was parsed.
const bundle = new URLSearchParams(location.search).get('bundle') ?? new URL('kling/kling-expand.js', location.href).href;
await import(bundle);
window.moduleRanEarly = document.readyState === 'loading';
