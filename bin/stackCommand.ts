/**
 * The command line of the commands that read a stack's configuration (plan, verify): the options that name it, and
 * parsing that hands back help and usage errors as a result to print, never exiting the process.
 */
import { Command, CommanderError } from "commander";

/** What a command prints and how it exits. */
export interface Result {
    stdout: string;
    stderr?: string;
    exitCode: number;
}

/** A command whose `--stack`, `--config-file`, `--stage` and `--set` name the configuration it reads. */
export function stackCommand(name: string, description: string, stackHelp: string): { program: Command; usage: () => Result | undefined } {
    let usage: Result | undefined;
    const program = new Command(name)
        .description(description)
        .exitOverride()
        .configureOutput({ writeOut: (s) => (usage = { stdout: s, exitCode: 0 }), writeErr: (s) => (usage = { stdout: "", stderr: s, exitCode: 2 }) })
        .option("--stack <name>", stackHelp, "dev")
        .option("--config-file <file>", "read the stack's config from this file instead of Pulumi.<stack>.yaml")
        .option("--stage <stage>", "short for --set stage=<stage>")
        .option("--set <key=value>", "override a config value (repeatable); JSON for lists and maps", (v: string, all: string[]) => [...all, v], [] as string[]);
    return { program, usage: () => usage };
}

/** Parses `argv`: the options the command received, or the help or usage error to print instead. */
export function parseCommand<T>(program: Command, argv: string[], usage: () => Result | undefined): { options: T } | { result: Result } {
    let options: T | undefined;
    program.action((o: T) => {
        options = o;
    });
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return { result: usage() ?? { stdout: "", stderr: `${e.message}\n`, exitCode: 2 } };
        throw e;
    }
    return options ? { options } : { result: usage() ?? { stdout: program.helpInformation(), exitCode: 2 } };
}
