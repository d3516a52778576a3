/**
 * bin/pulumi, the front door to the Pulumi CLI, run as a user runs it (a child process, from another directory), with
 * fake CLIs that print what they were given. Nothing here reaches the network or runs a real Pulumi CLI: PULUMI_HOME
 * and HOME are temporary directories, and where a download would start, fetch is replaced by one that fails as it
 * does offline (tests/fixtures/offline-fetch.js).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const WRAPPER = path.join(ROOT, "bin", "pulumi");
const PINNED = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).devDependencies.pulumi as string;
const OFFLINE_FETCH = path.join(ROOT, "tests", "fixtures", "offline-fetch.js");
const FILE_BACKEND = `file://${path.join(ROOT, ".pulumi-state")}`;

/** A fake Pulumi CLI: `version` prints FAKE_VERSION (default the pinned one); anything else prints what it got. */
const FAKE_CLI = `#!/bin/sh
if [ "$1" = version ]; then echo "v\${FAKE_VERSION:-${PINNED}}"; exit 0; fi
echo "args: $*"
echo "backend: $PULUMI_BACKEND_URL"
echo "cwd: $(pwd)"
echo "first on PATH: \${PATH%%:*}"
if [ -n "$FAKE_SIGNAL" ]; then kill -s "$FAKE_SIGNAL" $$; fi
exit \${FAKE_EXIT:-0}
`;

describe("bin/pulumi", () => {
    let home: string;
    let fakeDir: string;
    let fake: string;
    let other: string;

    beforeEach(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "bin-pulumi-"));
        fakeDir = path.join(home, "fake-bin");
        fake = path.join(fakeDir, "pulumi");
        fs.mkdirSync(fakeDir);
        fs.writeFileSync(fake, FAKE_CLI, { mode: 0o755 });
        other = path.join(home, "elsewhere");
        fs.mkdirSync(other);
    });
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    /** Runs bin/pulumi from another directory with a clean environment plus `env`. */
    function wrapper(args: string[], env: Record<string, string> = {}) {
        const result = spawnSync(WRAPPER, args, {
            cwd: other,
            env: { PATH: process.env.PATH ?? "", HOME: home, PULUMI_HOME: path.join(home, ".pulumi"), ...env },
            encoding: "utf8",
            timeout: 20000,
        });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, ...(result.signal ? { signal: result.signal } : {}) };
    }

    const ran = (args: string, backend = FILE_BACKEND, firstOnPath = (process.env.PATH ?? "").split(":")[0]) =>
        `args: ${args}\nbackend: ${backend}\ncwd: ${ROOT}\nfirst on PATH: ${firstOnPath}\n`;

    describe("with PULUMI_CLI", () => {
        it("runs that CLI with the arguments, from the project root, on the local file backend", () => {
            assert.deepStrictEqual(wrapper(["stack", "ls", "--json"], { PULUMI_CLI: fake }), { status: 0, stdout: ran("stack ls --json"), stderr: "" });
        });

        it("keeps a backend named by PULUMI_BACKEND_URL, and the CLI's exit code", () => {
            assert.deepStrictEqual(wrapper(["whoami"], { PULUMI_CLI: fake, PULUMI_BACKEND_URL: "https://api.pulumi.com", FAKE_EXIT: "3" }), {
                status: 3,
                stdout: ran("whoami", "https://api.pulumi.com"),
                stderr: "",
            });
        });

        it("ends as the CLI ends when a signal stops it (Ctrl-C reaches the CLI itself, not through the wrapper)", () => {
            assert.deepStrictEqual(wrapper(["up"], { PULUMI_CLI: fake, FAKE_SIGNAL: "INT" }), { status: null, signal: "SIGINT", stdout: ran("up"), stderr: "" });
        });

        it("finds a command name on PATH", () => {
            const result = wrapper(["about"], { PULUMI_CLI: "pulumi", PATH: `${fakeDir}:${process.env.PATH}` });
            assert.deepStrictEqual(result, { status: 0, stdout: ran("about", FILE_BACKEND, fakeDir), stderr: "" });
        });

        it("warns, in one line, when it is not the pinned version, and runs it anyway", () => {
            assert.deepStrictEqual(wrapper(["preview"], { PULUMI_CLI: fake, FAKE_VERSION: "3.100.0" }), {
                status: 0,
                stdout: ran("preview"),
                stderr: `bin/pulumi: warning: PULUMI_CLI (${fake}) is Pulumi v3.100.0, but this project pins v${PINNED} (package.json); using it anyway\n`,
            });
        });

        it("refuses a path that is not an executable file, saying what to set instead", () => {
            const notExecutable = path.join(home, "pulumi.txt");
            fs.writeFileSync(notExecutable, "not a program");
            const fix = `Set it to an installed Pulumi CLI, e.g. PULUMI_CLI=$(command -v pulumi), or unset it to use the pinned v${PINNED}.`;
            const cases: [string, string][] = [
                [path.join(home, "missing", "pulumi"), "there is no such file"],
                [notExecutable, "it is not executable"],
                [fakeDir, "it is not a file"],
            ];
            for (const [cli, problem] of cases) {
                assert.deepStrictEqual(wrapper(["up"], { PULUMI_CLI: cli }), { status: 1, stdout: "", stderr: `bin/pulumi: PULUMI_CLI is "${cli}", but ${problem}. ${fix}\n` }, cli);
            }
        });
    });

    describe("with the pinned CLI", () => {
        const installRoot = () => path.join(home, ".pulumi", "versions", PINNED);
        const offline = (failure = "ENOTFOUND") => ({ NODE_OPTIONS: `--require ${OFFLINE_FETCH}`, FAKE_FETCH_FAILURE: failure });

        it("runs the installed one without downloading anything, its directory first on PATH", () => {
            const bin = path.join(installRoot(), "bin");
            fs.mkdirSync(bin, { recursive: true });
            fs.copyFileSync(fake, path.join(bin, "pulumi"));
            // Offline: were a download attempted, it would fail and say so.
            assert.deepStrictEqual(wrapper(["up", "--yes"], offline()), { status: 0, stdout: ran("up --yes", FILE_BACKEND, bin), stderr: "" });
        });

        it("ignores an ambient PULUMI_VERSION, saying so", () => {
            const bin = path.join(installRoot(), "bin");
            fs.mkdirSync(bin, { recursive: true });
            fs.copyFileSync(fake, path.join(bin, "pulumi"));
            assert.deepStrictEqual(wrapper(["version-check"], { ...offline(), PULUMI_VERSION: "3.1.0" }), {
                status: 0,
                stdout: ran("version-check", FILE_BACKEND, bin),
                stderr: `bin/pulumi: warning: ignoring PULUMI_VERSION=3.1.0: this project pins the Pulumi CLI v${PINNED} (package.json); to run another CLI, set PULUMI_CLI to its path\n`,
            });
        });

        const downloadFailures: [string, string][] = [
            ["ENOTFOUND", "fetch failed: getaddrinfo ENOTFOUND get.pulumi.com"],
            ["ECONNREFUSED", "fetch failed: connect ECONNREFUSED 198.51.100.1:443"],
            ["HTTP_503", "HTTP 503 fetching https://get.pulumi.com/install.sh"],
        ];
        for (const [failure, cause] of downloadFailures) {
            it(`says what it downloads first, then why it failed (${failure}) and the two ways out, and exits 1`, () => {
                const result = wrapper(["up"], offline(failure));
                assert.deepStrictEqual(result, {
                    status: 1,
                    stdout: "",
                    stderr: [
                        `bin/pulumi: the Pulumi CLI v${PINNED} (pinned in package.json) is not installed yet; installing it once: https://get.pulumi.com/install.sh, ` +
                            `which downloads the v${PINNED} release archive for ${process.platform}-${process.arch} from github.com/pulumi/pulumi/releases or get.pulumi.com/releases/sdk/, into ${installRoot()}`,
                        `bin/pulumi: could not install the Pulumi CLI v${PINNED} from https://get.pulumi.com/install.sh: ${cause}.`,
                        "Either install it once where there is network, into the directory bin/pulumi uses:",
                        `  curl -fsSL https://get.pulumi.com | sh -s -- --version ${PINNED} --install-root ${installRoot()}`,
                        "or use a Pulumi CLI that is already installed:",
                        "  PULUMI_CLI=$(command -v pulumi) npm run deploy",
                        "",
                    ].join("\n"),
                });
                assert.ok(!fs.existsSync(installRoot()), "nothing half-installed is left behind");
            });
        }

        it("fails offline exactly as the README shows", () => {
            const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
            const shown = /\n(bin\/pulumi: could not install [\s\S]*?npm run deploy\n)```/.exec(readme)?.[1];
            const actual = wrapper(["up"], offline()).stderr.split("\n").slice(1).join("\n");
            assert.strictEqual(shown, actual.replaceAll(installRoot(), `/home/you/.pulumi/versions/${PINNED}`));
        });
    });
});
