//! Taking a picture in: the picker, drops, pastes, the "Image URL" field, and the fix-ups each
//! picture gets before sending (shown, and undoable).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Blob, ClipboardEvent, ClipboardEventInit, DataTransfer, DragEvent, DragEventInit, Element,
    HtmlButtonElement, HtmlElement, HtmlFormElement, HtmlInputElement, HtmlTextAreaElement,
};

use crate::support::*;

#[wasm_bindgen_test]
async fn a_chosen_png_is_shown_with_its_size_and_framed_by_the_preset() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(640, 480).await, "harbour.png");
    eventually("the picture's size in the hint", || {
        text_of(&host, ".ke-picture-facts").contains("640 × 480 px")
    })
    .await;
    let preview: HtmlElement = host
        .query_selector(".ke-original")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(
        preview.get_attribute("src").unwrap().starts_with("blob:"),
        "shown from an object URL"
    );

    let sixteen_nine: HtmlInputElement = host
        .query_selector("input[type=radio][value='16:9']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    sixteen_nine.click();
    eventually("a 16:9 canvas", || {
        output_size(&host)
            .is_some_and(|(w, h)| (f64::from(w) / f64::from(h) - 16.0 / 9.0).abs() < 0.01)
    })
    .await;
    let (width, height) = output_size(&host).unwrap();
    assert!(
        width > 640 && height >= 480,
        "the canvas contains the picture: {width}x{height}"
    );
    assert_eq!(
        fixups_done(&host),
        Vec::<String>::new(),
        "a PNG needs nothing"
    );
}

#[wasm_bindgen_test]
async fn a_picture_under_300_px_is_refused_with_its_size_and_what_to_do() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(280, 420).await, "tiny.png");
    eventually("an alert", || {
        host.query_selector("[role=alert]").unwrap().is_some()
    })
    .await;
    let alert = text_of(&host, "[role=alert]");
    assert!(alert.contains("280 × 420"), "{alert}");
    assert!(alert.contains("300"), "{alert}");
    assert!(
        host.query_selector(".ke-original").unwrap().is_none(),
        "nothing is framed"
    );
}

#[wasm_bindgen_test]
async fn a_refused_file_leaves_the_current_picture_in_place() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(640, 480).await, "harbour.png");
    eventually("the first picture", || hint(&host).contains("harbour.png")).await;
    let pdf = bytes_blob(b"%PDF-1.4 a document, not a picture");
    choose(&host, &pdf, "notes.pdf");
    eventually("an alert", || alert(&host).contains("PDF")).await;
    assert!(hint(&host).contains("harbour.png"), "{}", hint(&host));
    assert!(host.query_selector(".ke-original").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_file_dropped_anywhere_on_the_widget_is_taken() {
    let host = host();
    let _widget = mount_app(&host);
    let transfer = transfer_with(&png(800, 600).await, "dropped.png");
    // Onto the empty preview, as a person drops onto the big empty area.
    let target = host.query_selector(".ke-canvas-empty").unwrap().unwrap();
    let over = drag_event("dragover", &transfer);
    target.dispatch_event(&over).unwrap();
    assert!(over.default_prevented(), "the widget accepts the drag");
    let dropped = drag_event("drop", &transfer);
    target.dispatch_event(&dropped).unwrap();
    assert!(
        dropped.default_prevented(),
        "the browser does not open the file itself"
    );
    eventually("the dropped picture", || {
        hint(&host).contains("dropped.png · 800 × 600 px")
    })
    .await;
    assert!(output_size(&host).is_some());
}

#[wasm_bindgen_test]
async fn a_picture_pasted_after_clicking_in_the_widget_is_taken() {
    let host = host();
    let _widget = mount_app(&host);
    let root: HtmlElement = host
        .query_selector(".kling-expand")
        .unwrap()
        .unwrap()
        .unchecked_into();
    // A click on a part that is not a control focuses the widget itself.
    root.focus().unwrap();
    assert_eq!(
        document().active_element().as_ref(),
        Some(root.unchecked_ref::<Element>()),
        "the widget can hold the focus, so a paste lands in it"
    );
    let pasted = clipboard_event(&transfer_with(&png(700, 500).await, "image.png"));
    // Firefox gives a paste made by script a clipboard of its own, without the files put in
    // (a real paste carries them): there the event cannot show this, and the journey in e2e/
    // pastes through the real clipboard path in Chromium.
    let carried = pasted
        .clipboard_data()
        .and_then(|data| data.files())
        .is_some_and(|files| files.length() > 0);
    if !carried {
        web_sys::console::log_1(&"this browser drops files from a scripted paste; skipped".into());
        return;
    }
    root.dispatch_event(&pasted).unwrap();
    assert!(pasted.default_prevented());
    eventually("the pasted picture", || {
        hint(&host).contains("image.png · 700 × 500 px")
    })
    .await;
}

#[wasm_bindgen_test]
async fn text_pasted_into_a_field_stays_text() {
    let host = host();
    let _widget = mount_app(&host);
    let field: HtmlTextAreaElement = host
        .query_selector("textarea")
        .unwrap()
        .expect("the Prompt field")
        .unchecked_into();
    let transfer = DataTransfer::new().unwrap();
    transfer
        .set_data("text/plain", "https://example.com/a.png")
        .unwrap();
    let pasted = clipboard_event(&transfer);
    field.dispatch_event(&pasted).unwrap();
    assert!(!pasted.default_prevented(), "the field gets its text");
    // Give a wrongly started load time to show itself.
    kling_expand::browser::timer::sleep_ms(100).await;
    assert!(host.query_selector(".ke-original").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_image_url_field_refuses_what_is_not_an_http_address() {
    let host = host();
    let _widget = mount_app(&host);
    let field = url_field(&host);
    submit_url(&host, "ftp://example.com/photo.jpg");
    eventually("a message at the field", || {
        field.get_attribute("aria-invalid").as_deref() == Some("true")
    })
    .await;
    let message = url_message(&host);
    assert!(
        message.contains("ftp") && message.contains("http"),
        "{message}"
    );
    let described = field.get_attribute("aria-describedby").unwrap();
    assert_eq!(
        document()
            .get_element_by_id(&described)
            .unwrap()
            .text_content()
            .unwrap(),
        message,
        "the message is the field's description"
    );
    assert!(
        host.query_selector(".ke-original").unwrap().is_none(),
        "nothing loaded"
    );
}

#[wasm_bindgen_test]
async fn an_address_that_does_not_load_says_so_and_keeps_the_current_picture() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(640, 480).await, "harbour.png");
    eventually("the first picture", || hint(&host).contains("harbour.png")).await;
    // Nothing listens on the discard port.
    submit_url(&host, "http://127.0.0.1:9/missing.png");
    eventually("the load failure", || {
        url_message(&host).contains("did not load")
    })
    .await;
    assert!(hint(&host).contains("harbour.png"), "{}", hint(&host));
}

#[wasm_bindgen_test]
async fn a_small_opaque_webp_becomes_png_and_undo_brings_it_back_unsendable() {
    let host = host();
    let _widget = mount_app(&host);
    let webp = painted(640, 480, "image/webp", false).await;
    assert_format(&webp, b"RIFF").await;
    choose(&host, &webp, "small.webp");
    eventually("the conversion in the list", || {
        fixups_done(&host) == ["Converted WebP to PNG (small enough to stay lossless)"]
    })
    .await;
    assert!(
        hint(&host).contains("640 × 480 px · PNG"),
        "{}",
        hint(&host)
    );
    assert!(!expand_button(&host).disabled(), "a PNG can be sent");

    undo(&host, 0);
    eventually("the WebP again", || hint(&host).contains("· WebP")).await;
    assert!(fixups_done(&host).is_empty());
    let offered = fixups_needed(&host);
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert!(
        offered[0].contains("Kling accepts only PNG and JPEG"),
        "{offered:?}"
    );
    assert!(offered[0].contains("Convert to PNG or JPEG"), "{offered:?}");
    assert!(
        expand_button(&host).disabled(),
        "a WebP cannot be sent: Expand waits"
    );
    assert!(
        text_of(&host, ".ke-blockers").contains("Kling accepts only PNG and JPEG"),
        "the reason is next to Expand: {}",
        text_of(&host, ".ke-blockers")
    );

    // And the offer applies it again.
    click_button(&host, ".ke-fixups-needed button");
    eventually("converted again", || hint(&host).contains("· PNG")).await;
    assert!(!expand_button(&host).disabled());
}

#[wasm_bindgen_test]
async fn a_large_opaque_webp_becomes_jpeg_and_a_transparent_one_png() {
    let host = host();
    let _widget = mount_app(&host);
    choose(
        &host,
        &painted(1600, 1200, "image/webp", false).await,
        "big.webp",
    );
    eventually("JPEG for a big opaque picture", || {
        fixups_done(&host) == ["Converted WebP to JPEG"]
    })
    .await;
    assert!(
        hint(&host).contains("1600 × 1200 px · JPEG"),
        "{}",
        hint(&host)
    );

    choose(
        &host,
        &painted(1600, 1200, "image/webp", true).await,
        "cutout.webp",
    );
    eventually("PNG for a transparent one", || {
        fixups_done(&host) == ["Converted WebP to PNG (it has transparent parts)"]
    })
    .await;
    assert!(hint(&host).contains("cutout.webp · 1600 × 1200 px · PNG"));
}

#[wasm_bindgen_test]
async fn a_bmp_is_converted_too() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &bytes_blob(&bmp(400, 300)), "scan.bmp");
    eventually("the conversion", || {
        fixups_done(&host) == ["Converted BMP to PNG (small enough to stay lossless)"]
    })
    .await;
    assert!(
        hint(&host).contains("scan.bmp · 400 × 300 px · PNG"),
        "{}",
        hint(&host)
    );
}

#[wasm_bindgen_test]
async fn a_picture_the_browser_cannot_decode_leaves_the_current_one() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(640, 480).await, "harbour.png");
    eventually("the first picture", || hint(&host).contains("harbour.png")).await;
    // A WebP whose header announces 800 × 600 but whose frame is damaged.
    let mut webp = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
    let mut frame = vec![0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A];
    frame.extend(800u16.to_le_bytes());
    frame.extend(600u16.to_le_bytes());
    frame.extend([0xAB; 64]);
    webp.extend(u32::try_from(frame.len()).unwrap().to_le_bytes());
    webp.extend(frame);
    let riff_len = u32::try_from(webp.len() - 8).unwrap().to_le_bytes();
    webp[4..8].copy_from_slice(&riff_len);
    choose(&host, &bytes_blob(&webp), "broken.webp");
    eventually("the reason", || {
        alert(&host).contains("cannot decode the WebP")
    })
    .await;
    assert!(alert(&host).contains("broken.webp"), "{}", alert(&host));
    assert!(
        hint(&host).contains("harbour.png · 640 × 480 px · PNG"),
        "{}",
        hint(&host)
    );
    assert!(fixups_done(&host).is_empty());
    assert!(
        !expand_button(&host).disabled(),
        "the earlier picture can still be sent"
    );
}

#[wasm_bindgen_test]
async fn an_exif_turned_jpeg_is_shown_and_sent_upright() {
    let host = host();
    let _widget = mount_app(&host);
    let stored = read(&painted(640, 480, "image/jpeg", false).await).await;
    let turned = bytes_blob(&with_orientation(&stored, 6));
    choose(&host, &turned, "phone.jpg");
    // Shown at once with the displayed size, before any redraw.
    eventually("the upright size", || hint(&host).contains("480 × 640 px")).await;
    eventually("the fix-up in the list", || {
        fixups_done(&host) == ["Turned upright from EXIF orientation 6"]
    })
    .await;
    assert!(
        hint(&host).contains("480 × 640 px · JPEG"),
        "{}",
        hint(&host)
    );
    let (w, h) = output_size(&host).unwrap();
    assert!(h > w, "the canvas frames a portrait picture: {w}x{h}");

    undo(&host, 0);
    eventually("the offer to turn it again", || {
        fixups_needed(&host)
            .iter()
            .any(|n| n.contains("EXIF orientation 6") && n.contains("Turn upright"))
    })
    .await;
    assert!(
        hint(&host).contains("480 × 640 px"),
        "still shown upright by the browser"
    );
    assert!(
        !expand_button(&host).disabled(),
        "Kling takes it; only the orientation may be ignored"
    );
}

#[wasm_bindgen_test]
async fn a_jpeg_over_ten_megabytes_is_re_encoded_to_fit_and_can_be_undone() {
    let host = host();
    let _widget = mount_app(&host);
    let photo = read(&painted(1200, 900, "image/jpeg", false).await).await;
    let heavy = bytes_blob(&padded(&photo, 10 * 1024 * 1024 + 150_000));
    assert!(heavy.size() > 10.0 * 1024.0 * 1024.0);
    choose(&host, &heavy, "heavy.jpg");
    eventually("the re-encoding in the list", || {
        fixups_done(&host)
            .first()
            .is_some_and(|t| t.starts_with("Re-encoded as JPEG: 10.1 MB → ") && t.ends_with(" KB"))
    })
    .await;
    assert!(
        hint(&host).contains("1200 × 900 px · JPEG"),
        "{}",
        hint(&host)
    );
    assert!(!expand_button(&host).disabled());

    undo(&host, 0);
    eventually("the reason and the offer", || {
        fixups_needed(&host)
            .iter()
            .any(|n| n.contains("over Kling's 10 MB limit") && n.contains("Make it fit"))
    })
    .await;
    assert!(hint(&host).contains("10.1 MB"), "{}", hint(&host));
    assert!(expand_button(&host).disabled(), "10.1 MB cannot be sent");
    assert!(text_of(&host, ".ke-blockers").contains("10 MB"));
}

#[wasm_bindgen_test]
async fn a_too_wide_picture_is_offered_a_crop_and_only_cropped_on_request() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(1000, 300).await, "banner.png");
    eventually("the offer", || {
        fixups_needed(&host)
            .iter()
            .any(|n| n.contains("Crop it to at most 750 px wide") && n.ends_with("Crop to 2.5:1"))
    })
    .await;
    assert!(fixups_done(&host).is_empty(), "not cropped unasked");
    assert!(hint(&host).contains("1000 × 300 px"));
    assert!(expand_button(&host).disabled(), "3.33:1 cannot be sent");

    click_button(&host, ".ke-fixups-needed button");
    eventually("the crop in the list", || {
        fixups_done(&host) == ["Cropped to 2.5:1 (750 × 300 px)"]
    })
    .await;
    assert!(
        hint(&host).contains("750 × 300 px · PNG"),
        "{}",
        hint(&host)
    );
    assert!(fixups_needed(&host).is_empty());

    undo(&host, 0);
    eventually("the full width again", || {
        hint(&host).contains("1000 × 300 px")
    })
    .await;
}

// ── helpers ──

fn hint(host: &HtmlElement) -> String {
    text_of(host, ".ke-picture-facts")
}

fn alert(host: &HtmlElement) -> String {
    text_of(host, "[role=alert]")
}

/// The texts of the applied fix-ups, without their "Undo".
fn fixups_done(host: &HtmlElement) -> Vec<String> {
    items(host, ".ke-fixups-done li span")
}

/// Each needed fix-up as "reason + button text".
fn fixups_needed(host: &HtmlElement) -> Vec<String> {
    items(host, ".ke-fixups-needed li")
}

fn items(host: &HtmlElement, selector: &str) -> Vec<String> {
    let found = host.query_selector_all(selector).unwrap();
    (0..found.length())
        .filter_map(|i| found.item(i)?.text_content())
        .collect()
}

fn undo(host: &HtmlElement, index: u32) {
    let buttons = host
        .query_selector_all(".ke-fixups-done li button")
        .unwrap();
    let button: HtmlButtonElement = buttons.item(index).unwrap().unchecked_into();
    assert_eq!(button.text_content().unwrap(), "Undo");
    button.click();
}

fn click_button(host: &HtmlElement, selector: &str) {
    host.query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlButtonElement>()
        .click();
}

fn expand_button(host: &HtmlElement) -> HtmlButtonElement {
    let buttons = host.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|b| b.unchecked_into::<HtmlButtonElement>())
        .find(|b| b.text_content().as_deref() == Some("Expand"))
        .expect("an Expand button")
}

fn url_field(host: &HtmlElement) -> HtmlInputElement {
    host.query_selector("input[type=url]")
        .unwrap()
        .unwrap()
        .unchecked_into()
}

fn url_message(host: &HtmlElement) -> String {
    text_of(host, ".ke-field-message")
}

fn submit_url(host: &HtmlElement, url: &str) {
    let field = url_field(host);
    field.set_value(url);
    let form: HtmlFormElement = field.form().unwrap();
    form.request_submit().unwrap();
}

fn transfer_with(blob: &Blob, name: &str) -> DataTransfer {
    let file = web_sys::File::new_with_blob_sequence(&Array::of1(blob), name).unwrap();
    let transfer = DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    transfer
}

fn drag_event(kind: &str, transfer: &DataTransfer) -> DragEvent {
    let init = DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(transfer));
    DragEvent::new_with_event_init_dict(kind, &init).unwrap()
}

fn clipboard_event(transfer: &DataTransfer) -> ClipboardEvent {
    let init = ClipboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_clipboard_data(Some(transfer));
    ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap()
}

/// A picture painted with detail (so encoders have work to do), optionally with a transparent
/// hole, encoded by the browser as `mime`.
async fn painted(width: u32, height: u32, mime: &str, transparent: bool) -> Blob {
    let canvas = web_sys::OffscreenCanvas::new(width, height).unwrap();
    let g: web_sys::OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let (w, h) = (f64::from(width), f64::from(height));
    g.set_fill_style_str("#3a6ea5");
    g.fill_rect(0.0, 0.0, w, h);
    for i in 0..24 {
        g.set_fill_style_str(&format!("hsl({} 60% 50%)", i * 47 % 360));
        g.fill_rect(
            f64::from(i * 97 % 100) / 100.0 * w,
            f64::from(i * 61 % 100) / 100.0 * h,
            w / 6.0,
            h / 9.0,
        );
    }
    if transparent {
        g.clear_rect(w / 3.0, h / 3.0, w / 3.0, h / 3.0);
    }
    let options = web_sys::ImageEncodeOptions::new();
    options.set_type(mime);
    options.set_quality(0.9);
    JsFuture::from(canvas.convert_to_blob_with_options(&options).unwrap())
        .await
        .unwrap()
        .unchecked_into()
}

async fn read(blob: &Blob) -> Vec<u8> {
    kling_expand::browser::file::read_all(blob).await.unwrap()
}

async fn assert_format(blob: &Blob, magic: &[u8]) {
    assert!(
        read(blob).await.starts_with(magic),
        "the browser encoded the format asked for"
    );
}

fn bytes_blob(bytes: &[u8]) -> Blob {
    Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).unwrap()
}

/// The JPEG with an APP1 Exif segment (big-endian TIFF, one IFD entry: Orientation) inserted
/// after its APP0, as a phone camera writes it.
fn with_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend([0, 1]); // one entry
    exif.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]); // SHORT orientation
    exif.extend([0, 0, 0, 0]); // no next IFD
    let after_app0 = if jpeg[2..4] == [0xFF, 0xE0] {
        4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]))
    } else {
        2
    };
    let mut out = jpeg[..after_app0].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    out.extend(exif);
    out.extend(&jpeg[after_app0..]);
    out
}

/// The JPEG grown to `total` bytes with comment segments placed right after its frame header,
/// where decoders skip them (and header inspection has already stopped).
fn padded(jpeg: &[u8], total: usize) -> Vec<u8> {
    let mut pos = 2;
    let frame_end = loop {
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if (0xC0..=0xC2).contains(&marker) {
            break pos + 2 + len;
        }
        pos += 2 + len;
    };
    let mut out = jpeg[..frame_end].to_vec();
    let mut missing = total.saturating_sub(jpeg.len());
    while missing > 4 {
        let body = (missing - 4).min(65_533);
        out.extend([0xFF, 0xFE]);
        out.extend(u16::try_from(body + 2).unwrap().to_be_bytes());
        out.extend((0..body).map(|i| b'a' + (i % 26) as u8));
        missing -= body + 4;
    }
    out.extend(&jpeg[frame_end..]);
    out
}

/// A 24-bit bottom-up BMP filled with one colour, as old scanners write them.
fn bmp(width: u32, height: u32) -> Vec<u8> {
    let row = (width * 3).div_ceil(4) * 4;
    let pixels = row * height;
    let mut out = b"BM".to_vec();
    out.extend((54 + pixels).to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend(54u32.to_le_bytes());
    out.extend(40u32.to_le_bytes()); // BITMAPINFOHEADER
    out.extend(width.to_le_bytes());
    out.extend(height.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(24u16.to_le_bytes());
    out.extend([0; 24]);
    for _ in 0..height {
        for x in 0..width {
            out.extend([(x % 256) as u8, 0x6e, 0x3a]);
        }
        out.extend(std::iter::repeat_n(0, (row - width * 3) as usize));
    }
    out
}
