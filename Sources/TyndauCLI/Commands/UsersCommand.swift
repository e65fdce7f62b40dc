import ArgumentParser
import Foundation
import TyndauCore
import TyndauServer
import TyndauSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tyndau users add|list|disable|enable`: office accounts for the console (`/office`). Passwords
/// are read from the terminal without echo (or one line of standard input with `--password-stdin`)
/// and stored only as bcrypt hashes.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Office console accounts: add, list, disable, enable, set a new password.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self, Password.self]
    )
}

extension UsersCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account; the password is asked twice on the terminal (not echoed)."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Login name: 2–40 Latin letters, digits, '.', '_' or '-'.")
        var name: String

        @Option(help: "operator (triage, topics, agenda, answers) or admin (also users, endpoints, series).")
        var role: String

        @Flag(help: "Read the password from the first line of standard input (for scripts).")
        var passwordStdin = false

        @Option(help: .hidden)
        var bcryptCost: UInt8 = 12

        func validate() throws {
            guard OfficeUser.isValidName(name) else { throw ValidationError(CLIText.text("users.bad-name", name)) }
            guard OfficeRole(rawValue: role) != nil else { throw ValidationError(CLIText.text("users.bad-role", role)) }
            guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost must be 4–31") }
        }

        func run() async throws {
            let hash = try await PasswordPrompt.hash(fromStandardInput: passwordStdin, cost: bcryptCost)
            let (database, _) = try await options.openDatabase()
            let user = try await database.addUser(
                OfficeUser(name: name, role: OfficeRole(rawValue: role)!, passwordHash: hash, createdAt: WallClock.now()),
                actor: GlobalOptions.actor, now: WallClock.now()
            )
            print(CLIText.text("users.added", user.name, user.role.rawValue))
            try await database.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List office accounts.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let users = try await database.officeUsers()
            try await database.close()
            if users.isEmpty { print(CLIText.text("users.none")) }
            for user in users {
                let state = CLIText.text(user.disabled ? "users.state.disabled" : "users.state.active")
                print([
                    user.name.padding(toLength: 24, withPad: " ", startingAt: 0),
                    user.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                    state,
                ].joined(separator: " "))
            }
            try await database.close()
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account and end its sessions.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Login name.")
        var name: String

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let user = try await database.setUserDisabled(name: name, disabled: true, actor: GlobalOptions.actor, now: WallClock.now())
            print(CLIText.text("users.disabled", user.name))
            try await database.close()
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Login name.")
        var name: String

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let user = try await database.setUserDisabled(name: name, disabled: false, actor: GlobalOptions.actor, now: WallClock.now())
            print(CLIText.text("users.enabled", user.name))
            try await database.close()
        }
    }
}

extension UsersCommand {
    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a new password for an account (asked twice, not echoed); its sessions end."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Login name.")
        var name: String

        @Flag(help: "Read the password from the first line of standard input (for scripts).")
        var passwordStdin = false

        @Option(help: .hidden)
        var bcryptCost: UInt8 = 12

        func run() async throws {
            let hash = try await PasswordPrompt.hash(fromStandardInput: passwordStdin, cost: bcryptCost)
            let (database, _) = try await options.openDatabase()
            let user = try await database.setPasswordHash(name: name, passwordHash: hash, actor: GlobalOptions.actor, now: WallClock.now())
            print(CLIText.text("users.password-set", user.name))
            try await database.close()
        }
    }
}

/// Reads a line from the terminal with echo off, restoring the terminal's settings afterwards.
enum PasswordPrompt {
    /// The new password (one stdin line, or asked twice on the terminal) as a bcrypt hash; a
    /// password that is too short or too long is a usage error naming the reason.
    static func hash(fromStandardInput: Bool, cost: UInt8) async throws -> String {
        let password: String
        if fromStandardInput {
            guard let line = readLine(strippingNewline: true) else { throw TyndauError.validation(["password": "field.required"]) }
            password = line
        } else {
            guard isatty(STDIN_FILENO) == 1 else { throw ValidationError(CLIText.text("users.no-terminal")) }
            let first = try read(CLIText.text("users.prompt"))
            let second = try read(CLIText.text("users.prompt-again"))
            guard first == second else { throw ValidationError(CLIText.text("users.mismatch")) }
            password = first
        }
        do {
            return try await OfficeCredentials.hash(password, cost: cost)
        } catch let error as TyndauError {
            throw ValidationError(ServerText.fields(error, CLIText.language).values.sorted().joined(separator: "; "))
        }
    }

    static func read(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw ValidationError(CLIText.text("users.no-terminal")) }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
