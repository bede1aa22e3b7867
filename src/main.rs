fn main() {
    kling_expand::embed::start();
}
