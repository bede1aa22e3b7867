fn main() {
    kling_expand::mount_all();
}
