//! Writes the bad-picture corpus into a directory: `cargo run -p kling-expand-proxy --example
//! bad_pictures -- DIR` (or `scripts/bad-pictures.sh DIR`). The pictures are made by the code
//! the over-HTTP tests use, so both sides test the same files.

#[path = "../tests/over_http/bad_pictures.rs"]
#[allow(dead_code)]
mod bad_pictures;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: bad_pictures DIR");
    std::fs::create_dir_all(&dir).expect("create the directory");
    for picture in bad_pictures::corpus() {
        let path = std::path::Path::new(&dir).join(picture.file);
        std::fs::write(&path, &picture.bytes).expect("write a picture");
        println!("{}\t{}", picture.file, picture.bytes.len());
    }
}
