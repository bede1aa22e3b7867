//! The widgets of a page: one per `[data-kling-expand]` element, per `<kling-expand>` element
//! and per `mount()` call, each with its own reactive owner and the host's options as a signal,
//! ended when the page ends it (`destroy()`, or by removing the element).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::rc::Rc;

use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::actions::host::HostSettings;
use crate::browser;
use crate::config::{OptionError, Options};
use crate::i18n::Strings;
use crate::App;

struct Widget {
    host: HtmlElement,
    settings: RwSignal<HostSettings>,
    /// Unmounts the view and cleans up the owner (which stops polling).
    end: Box<dyn FnOnce()>,
}

thread_local! {
    /// By id. A page has a handful of widgets, so a list searched in order serves; a `HashMap`
    /// would bring its hasher and table code into the bundle for them.
    static WIDGETS: RefCell<Vec<(u32, Widget)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Starts the widget on the page: gives the page's JavaScript its entry points, and mounts every
/// `[data-kling-expand]` element (when loaded by the host bundle's module, once the page is
/// parsed, and without adding a widget to a page that has none).
pub fn start() {
    browser::embed::offer(
        |host, options, strict| mount(host, &options, strict, None),
        |id, options, strict| update(id, &options, strict),
        end,
    );
    if browser::embed::loaded_as_module() {
        browser::embed::when_page_parsed(|| mount_hosts(false));
    } else {
        mount_hosts(true);
    }
}

/// Mounts a widget into every `[data-kling-expand]` element (options from its `data-*`
/// attributes); with `make_one`, into a new element at the end of `<body>` when there is none.
pub fn mount_hosts(make_one: bool) {
    for (position, host) in browser::widget_hosts(make_one).into_iter().enumerate() {
        let Ok(options) = Options::by_name(|name| {
            Ok::<_, Infallible>(host.get_attribute(&format!("data-{name}")))
        });
        let _ = mount(host, &options, false, Some(position));
    }
}

/// What the widget shows its page's author about options it did not take.
fn warning(errors: &[OptionError]) -> Option<String> {
    (!errors.is_empty()).then(|| {
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("{} Until then the widget uses its default.", said.join(" "))
    })
}

/// Mounts a widget into `host` with `options` (a host that has one already keeps it and takes
/// the options); returns its id. `strict`: a wrong option is an error and nothing is mounted;
/// otherwise the widget says so and uses the option's default. `position`: the host's place
/// among the page's `[data-kling-expand]` elements, which names its saved work when it has no id.
pub fn mount(
    host: HtmlElement,
    options: &Options,
    strict: bool,
    position: Option<usize>,
) -> Result<u32, String> {
    let existing = WIDGETS.with(|w| {
        w.borrow()
            .iter()
            .find(|(_, widget)| widget.host == host)
            .map(|(id, _)| *id)
    });
    if let Some(id) = existing {
        update(id, options, strict)?;
        return Ok(id);
    }
    let (settings, errors) = options.read();
    if strict && !errors.is_empty() {
        return Err(errors[0].to_string());
    }
    let id = NEXT_ID.with(|next| next.replace(next.get() + 1));
    let key = browser::lifecycle::storage_key(&host, position.unwrap_or(1000 + id as usize));
    let locale = settings.locale.clone();
    let config = settings.config(Some(host.clone().into()));
    // The widget's own owner: running tasks hold on to it, so dropping the mount handle alone
    // would not end them; cleaning it up runs the widget's cleanups (which stop polling) and
    // disposes its reactive state.
    let owner = Owner::new();
    let signal = owner.with(|| {
        RwSignal::new(HostSettings {
            settings,
            warning: warning(&errors),
        })
    });
    // The view, once mounted (dropping it takes it off the page).
    let mounted: Rc<RefCell<Option<Box<dyn Any>>>> = Rc::default();
    let show = {
        let (host, mounted, owner) = (host.clone(), mounted.clone(), owner.clone());
        move |strings: Strings| {
            let view = owner.with(|| {
                leptos::mount::mount_to(host, move || {
                    view! { <App config storage_key=Some(key) host_settings=Some(signal) strings /> }
                })
            });
            *mounted.borrow_mut() = Some(Box::new(view));
        }
    };
    let widget = Widget {
        host: host.clone(),
        settings: signal,
        end: Box::new(move || {
            mounted.borrow_mut().take();
            owner.cleanup();
        }),
    };
    WIDGETS.with(|w| w.borrow_mut().push((id, widget)));
    if browser::locale::is_ready(&host, locale.as_deref()) {
        show(browser::locale::strings_now(&host, locale.as_deref()));
    } else {
        // Shown once its locale pack is in (in English if it cannot be fetched), unless it was
        // ended meanwhile. Leptos' own executor starts with the first mount, which this may
        // come before: hence wasm-bindgen's.
        let host = host.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let strings = browser::locale::strings_for(&host, locale.as_deref()).await;
            if WIDGETS.with(|w| w.borrow().iter().any(|(known, _)| *known == id)) {
                show(strings);
            }
        });
    }
    // The widget lives as long as its element: when the page removes it, it ends.
    browser::lifecycle::when_removed(&host, move || end(id));
    Ok(id)
}

/// Gives widget `id` new options; see [`mount`] for `strict`.
pub fn update(id: u32, options: &Options, strict: bool) -> Result<(), String> {
    let (settings, errors) = options.read();
    if strict && !errors.is_empty() {
        return Err(errors[0].to_string());
    }
    let signal = WIDGETS.with(|w| {
        w.borrow()
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, widget)| widget.settings)
    });
    let signal = signal.ok_or_else(|| "kling-expand: this widget was destroyed.".to_owned())?;
    signal.set(HostSettings {
        settings,
        warning: warning(&errors),
    });
    Ok(())
}

/// Ends widget `id`: its view leaves the page and its polling stops. Once only.
pub fn end(id: u32) {
    let widget = WIDGETS.with(|w| {
        let mut widgets = w.borrow_mut();
        let at = widgets.iter().position(|(known, _)| *known == id)?;
        Some(widgets.remove(at).1)
    });
    if let Some(widget) = widget {
        (widget.end)();
    }
}
