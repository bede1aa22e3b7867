// The shop's own script. It loads the widget's host bundle (by default from ./kling/, a sub-path
// of this site; `?bundle=URL` loads it from elsewhere, such as a CDN), points both widgets at its
// API (`?api=URL`, default /api/kling), mounts the second one, and keeps what each widget reports
// in `window.shop.events` (by element id), for the page's own use.
const params = new URLSearchParams(location.search);
const bundle = params.get('bundle') ?? new URL('kling/kling-expand.js', location.href).href;
const api = params.get('api') ?? '/api/kling';

const names = ['picture', 'submitted', 'progress', 'succeeded', 'failed', 'cancelled'];
const events = { 'studio-widget': [], 'gallery-widget': [], heard: [] };
window.shop = { events, ready: false };

const studio = document.getElementById('studio-widget');
studio.setAttribute('endpoint', api);
for (const id of ['studio-widget', 'gallery-widget']) {
  const element = document.getElementById(id);
  for (const name of names) {
    element.addEventListener(`kling-expand-${name}`, (event) => {
      events[id].push({ type: event.type, detail: event.detail });
    });
  }
}

const { mount } = await import(bundle);
// A second copy of the module (another URL) shares the first one's widgets.
if (params.has('twice')) await import(`${bundle}?copy`);
const gallery = mount(document.getElementById('gallery-widget'), {
  endpoint: api, locale: 'zh-CN', theme: 'dark', aspect: '9:16', images: 2,
});
for (const name of names) gallery.on(name, (detail) => events.heard.push({ type: `kling-expand-${name}`, detail }));
window.shop = { events, gallery, mount, ready: true };
