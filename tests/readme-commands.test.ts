/**
 * The README's shell commands must work when copied. `npm run <script>` prints a banner ("> eks-netpol-lab@0.1.0
 * plan ...") on stdout before the script's own output, so a command that redirects, pipes or captures the output of
 * plan or netpol must run npm with --silent, or have plan write its file itself with -o.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const README = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");

/** Every shell command the README shows: each line of its sh code blocks (continuations joined), and inline code. */
function readmeCommands(markdown: string): string[] {
    const commands: string[] = [];
    for (const block of markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
        commands.push(...block[1].replace(/\\\n\s*/g, "").split("\n").filter((line) => line.trim() && !line.trim().startsWith("#")));
    }
    for (const span of markdown.matchAll(/`([^`\n]+)`/g)) if (span[1].includes("npm run")) commands.push(span[1]);
    return commands;
}

/** How plan or netpol is run in `command`, and whether its stdout goes anywhere but the terminal. */
function npmRuns(command: string): { text: string; silent: boolean; toFile: boolean; redirected: boolean }[] {
    // 2>&1 sends stderr along with stdout; it does not redirect stdout itself. <stage> is a placeholder, not a redirect.
    const text = command.replace(/2>&1/g, "2>").replace(/<[\w-]+>/g, "PLACEHOLDER");
    const runs = text.matchAll(/(\$\(|<\()?\s*npm run((?:\s+-[\w-]+)*)\s+(plan|netpol)\b([^;&|)]*)(\|(?!\|))?/g);
    return [...runs].map(([match, captured, flags, script, args, piped]) => ({
        text: match.trim(),
        silent: /(^|\s)(--silent|-s)(\s|$)/.test(flags),
        toFile: script === "plan" && /(^|\s)(-o|--output)(\s|=)/.test(args),
        redirected: Boolean(captured || piped || /(^|[^2])>/.test(args)),
    }));
}

/** The runs of plan or netpol in `command` whose output would carry npm's banner into a file, pipe or variable. */
export function unsafeRedirects(command: string): string[] {
    return npmRuns(command).filter((r) => r.redirected && !r.silent && !r.toFile).map((r) => r.text);
}

describe("README commands that redirect plan or netpol output", () => {
    const cases: [string, boolean][] = [
        ["npm run --silent plan -- --format json > plan.json", true],
        ["npm run -s netpol -- matrix tests/fixtures/stars | less", true],
        ["npm run plan -- --format json -o plan.json", true],
        ["npm run plan -- --format json --output=plan.json", true],
        ["npm run plan -- --stage final", true],
        ["npm run plan -- --stage final 2> errors.txt", true],
        ["npm run plan -- --stage <stage> --set 'demos=[\"stars\"]'", true],
        ["npm run plan -- --format json > plan.json", false],
        ["npm run plan -- --format json >> plans.json", false],
        ["npm run netpol -- matrix tests/fixtures/stars | grep X", false],
        ["npm run plan -- --format json 2>&1 | jq .", false],
        ['flows="$(npm run plan -- --format json)"', false],
        ["diff <(npm run plan -- --stage open) <(npm run --silent plan -- --stage final)", false],
        ["npm run netpol -- check tests/fixtures/stars -o x.json > y.json", false],
    ];
    for (const [command, safe] of cases) {
        it(`${safe ? "accepts" : "flags"}: ${command}`, () => assert.strictEqual(unsafeRedirects(command).length === 0, safe, JSON.stringify(npmRuns(command))));
    }

    it("finds none in the README, which does redirect plan's output", () => {
        const commands = readmeCommands(README);
        assert.ok(commands.some((c) => npmRuns(c).some((r) => r.redirected)), "the README shows at least one redirect of plan or netpol");
        assert.deepStrictEqual(commands.flatMap(unsafeRedirects), []);
    });
});
