// Entry points of the `holdfast` subcommands. Each takes the argv that starts
// at the subcommand name and returns the process exit code: 0 success,
// 1 failure reported by the server or the check (e.g. lint errors), 2 usage.
#ifndef HOLDFAST_CLIENT_COMMANDS_H_
#define HOLDFAST_CLIENT_COMMANDS_H_

namespace holdfast::cli {

int RunAssignCommand(int argc, char** argv);
int RunJourneysCommand(int argc, char** argv);
int RunPingCommand(int argc, char** argv);
int RunConfigCommand(int argc, char** argv);
int RunImportCommand(int argc, char** argv);
int RunLintCommand(int argc, char** argv);
int RunPowerCommand(int argc, char** argv);
int RunReportCommand(int argc, char** argv);
int RunTokenCommand(int argc, char** argv);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_COMMANDS_H_
