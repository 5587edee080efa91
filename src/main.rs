fn main() -> std::process::ExitCode {
    catchup::cli::main()
}
