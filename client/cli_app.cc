#include "client/cli_app.h"

#include <algorithm>
#include <iostream>
#include <memory>

namespace holdfast::cli {
namespace {

// The deepest subcommand the parse reached: its usage is what the user needs
// after a mistake (`holdfast config reload --bogus` → the reload usage).
const CLI::App* DeepestSelected(const CLI::App& app) {
  const CLI::App* current = &app;
  for (;;) {
    std::vector<CLI::App*> selected = current->get_subcommands();
    if (selected.empty()) return current;
    current = selected.front();
  }
}

}  // namespace

// "holdfast config reload" for the reload subcommand.
std::string FullName(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* p = app->get_parent(); p != nullptr; p = p->get_parent()) {
    path = p->get_name() + " " + path;
  }
  return path;
}

std::string UsageOf(const CLI::App* app, CLI::AppFormatMode mode) {
  return app->get_formatter()->make_help(app, FullName(app), mode);
}

int RunCliApp(CLI::App& app, int argc, char** argv, const int* exit_code) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return RunCliApp(app, std::move(args), exit_code);
}

int RunCliApp(CLI::App& app, std::vector<std::string> args, const int* exit_code) {
  // CLI11 takes the arguments last-first.
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << UsageOf(DeepestSelected(app));
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << UsageOf(DeepestSelected(app), CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    const CLI::App* where = DeepestSelected(app);
    std::cerr << UsageOf(where) << "\n";
    // CLI11 checks requirements (a missing verb or option) before it rejects
    // arguments it did not expect, so `holdfast config --bogus` would only say
    // "A subcommand is required": name the stray arguments too, first.
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
      if (std::vector<std::string> stray = where->remaining(); !stray.empty()) {
        std::cerr << FullName(where) << ": " << CLI::ExtrasError(std::move(stray)).what() << "\n";
      }
    }
    std::cerr << FullName(where) << ": " << e.what() << "\n";
    return 2;
  }
  return *exit_code;
}

std::string NormalizeServerAddress(const std::string& address) {
  if (address.empty()) return address;
  if (address.find("://") != std::string::npos || address.rfind("unix:", 0) == 0 ||
      address.rfind("dns:", 0) == 0 || address.rfind("ipv4:", 0) == 0 || address.rfind("ipv6:", 0) == 0) {
    return address;
  }
  if (address.front() == '[') {
    const size_t close = address.find(']');
    if (close != std::string::npos && close + 1 < address.size() && address[close + 1] == ':') return address;
    return address + ":" + kDefaultPort;
  }
  const size_t colons = std::count(address.begin(), address.end(), ':');
  if (colons == 0) return address + ":" + kDefaultPort;
  if (colons > 1) return "[" + address + "]:" + kDefaultPort;  // a bare IPv6 address
  return address;
}

void AddServerOptions(CLI::App* command, ServerFlags* flags) {
  flags->server = "127.0.0.1:50051";
  command->add_option("--server", flags->server, "Holdfast server HOST[:PORT] (port 50051 if omitted)")
      ->envname("HOLDFAST_SERVER")
      ->capture_default_str();
  // Not CLI11 envnames: $HOLDFAST_TOKEN holds the token itself, not a file,
  // and both fallbacks live with the file reading (client/connection_options.h).
  command->add_option("--tls-ca", flags->tls_ca, "PEM CA of the server certificate: speak TLS (else $HOLDFAST_TLS_CA)");
  command->add_option("--tls-cert", flags->tls_cert, "PEM client certificate for mTLS (with --tls-key)");
  command->add_option("--tls-key", flags->tls_key, "PEM private key of --tls-cert");
  command->add_option("--token-file", flags->token_file, "file holding the bearer token (else $HOLDFAST_TOKEN)");
}

void AddHelpCommand(CLI::App& app, int* exit_code) {
  CLI::App* help = app.add_subcommand("help", "show the usage of holdfast or of one command");
  auto words = std::make_shared<std::vector<std::string>>();
  help->add_option("command", *words, "command (and verb) to describe, e.g. `report` or `config reload`");
  help->callback([&app, help, words, exit_code] {
    const CLI::App* target = &app;
    for (const std::string& w : *words) {
      const CLI::App* next = nullptr;
      for (const CLI::App* sub : target->get_subcommands({})) {
        if (sub->get_name() == w) next = sub;
      }
      if (next == nullptr) {
        std::cerr << UsageOf(target) << "\nholdfast help: unknown command '" << w << "'\n";
        *exit_code = 2;
        return;
      }
      target = next;
    }
    std::cout << UsageOf(target);
    *exit_code = 0;
  });
}

}  // namespace holdfast::cli
