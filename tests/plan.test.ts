/**
 * `plan` end to end: the real index.ts under mocks with the dev stack's config and overrides, in every format, and
 * the same clear error as `pulumi up` for bad config.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { loadAll } from "js-yaml";
import * as os from "os";
import * as path from "path";
import { run } from "../bin/plan";

const ROOT = path.resolve(__dirname, "..");
const STACKS = path.join(ROOT, "tests", "fixtures", "stacks");
const FIX_LINE = "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.";

describe("plan", () => {
    it("prints JSON: the stage, every resource, every Kubernetes object and every flow between demo workloads", async () => {
        const result = await run(["--stage", "final", "--format", "json"]);
        assert.strictEqual(result.exitCode, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.deepStrictEqual(Object.keys(plan), ["stage", "resources", "manifests", "flows"]);
        assert.strictEqual(plan.stage, "final");
        assert.ok(plan.resources.some((r: { type: string; name: string }) => r.type === "eks:index:Cluster" && r.name === "lab-eks"));
        const policies = plan.manifests.filter((m: { kind: string }) => m.kind === "NetworkPolicy").map((m: { metadata: { namespace: string; name: string } }) => `${m.metadata.namespace}/${m.metadata.name}`);
        assert.deepStrictEqual(policies.sort(), ["client/allow-ui", "client/default-deny", "stars/allow-ui", "stars/backend-policy", "stars/default-deny", "stars/frontend-policy"]);
        // 7 demo workloads, each declaring one port: every ordered pair once, a workload to itself included.
        assert.strictEqual(plan.flows.length, 7 * 7);
        assert.deepStrictEqual(plan.flows.find((f: { from: string; to: string }) => f.from === "client/client" && f.to === "stars/frontend"), {
            from: "client/client", to: "stars/frontend", port: 80, protocol: "TCP", allowed: true,
        });
        assert.deepStrictEqual(plan.flows.find((f: { from: string; to: string }) => f.from === "client/client" && f.to === "stars/backend").allowed, false);
    });

    it("prints YAML a user could kubectl apply, the same objects as the JSON", async () => {
        const yamlOut = await run(["--stage", "allow-ui", "--format", "yaml"]);
        const jsonOut = await run(["--stage", "allow-ui", "--format", "json"]);
        assert.strictEqual(yamlOut.exitCode, 0);
        assert.deepStrictEqual(loadAll(yamlOut.stdout), JSON.parse(jsonOut.stdout).manifests);
    });

    it("prints the resource summary and the connectivity grid as text", async () => {
        const result = await run(["--set", "stage=deny-all", "--set", 'demos=["stars"]']);
        assert.strictEqual(result.exitCode, 0);
        assert.match(result.stdout, /^Stack dev, stage deny-all: pulumi up would register \d+ resources\n/);
        assert.ok(result.stdout.includes("NetworkPolicies (2): client/default-deny, stars/default-deny\n"));
        assert.ok(result.stdout.includes([
            "                            1 2 3 4",
            "client/client               X . X X",
            "management-ui/management-ui X . X X",
            "stars/backend               X . X X",
            "stars/frontend              X . X X",
        ].join("\n")), result.stdout);
    });

    it("prints the grid the README's walkthrough shows after the final stage", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const grid = /After `final`:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
        assert.ok(grid, "the README shows the grid after final");
        const result = await run(["--stage", "final", "--set", 'demos=["stars"]']);
        assert.ok(result.stdout.includes(grid), `the README's grid:\n${grid}\nis not in plan's output:\n${result.stdout}`);
    });

    it("draws the picture as SVG", async () => {
        const result = await run(["--stage", "final", "--format", "svg"]);
        assert.strictEqual(result.exitCode, 0);
        assert.match(result.stdout, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.ok(result.stdout.includes(">Stack dev, stage final</text>"));
    });

    it("rejects invalid config with exit 2 and exactly the message pulumi up would give, and prints nothing else", async () => {
        const result = await run(["--stage", "deny_all", "--set", "nodeMin=5"]);
        assert.strictEqual(result.exitCode, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, [
            "Invalid stack configuration (2 problems):",
            '  - stage: "deny_all" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"; did you mean "deny-all"?',
            "  - nodeMin: 5 is greater than nodeDesired: 2; need 0 <= nodeMin <= nodeDesired <= nodeMax",
            FIX_LINE,
            "",
        ].join("\n"));
    });

    it("rejects an unknown stack, a malformed --set and an unknown format with exit 2", async () => {
        assert.deepStrictEqual(await run(["--stack", "prod"]), { stdout: "", stderr: "plan: no stack file Pulumi.prod.yaml; stacks here: dev\n", exitCode: 2 });
        assert.deepStrictEqual(await run(["--set", "stage"]), {
            stdout: "",
            stderr: `plan: --set "stage" is not key=value; e.g. --set stage=final or --set 'demos=["stars"]'\n`,
            exitCode: 2,
        });
        assert.strictEqual((await run(["--format", "png"])).exitCode, 2);
    });

    it("runs as `npm run plan`, with no AWS, network or Pulumi CLI, and nothing on stderr", function () {
        this.timeout(60000);
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--stage", "final", "--format", "json"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.strictEqual(JSON.parse(result.stdout).stage, "final");
        assert.strictEqual(result.stderr, "");
    });

    it("exits 2 from the command line too, with only the message: no stack trace, no crash", function () {
        this.timeout(60000);
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--set", 'demos=["namespaces"]', "--stage", "final"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, [
            "Invalid stack configuration (1 problem):",
            '  - stage: "final" applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"',
            FIX_LINE,
            "",
        ].join("\n"));
    });

    it("plans policyEngine none: no policy engine, every demo flow open", async () => {
        const result = await run(["--set", "policyEngine=none", "--format", "json"]);
        assert.strictEqual(result.exitCode, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.deepStrictEqual(plan.resources.filter((r: { type: string }) => /calico|tigera|NodeRecycler/i.test(r.type)), []);
        assert.deepStrictEqual(plan.flows.filter((f: { allowed: boolean }) => !f.allowed), []);
    });
});

describe("plan: the stack file", () => {
    const planFile = (name: string, ...args: string[]) => run(["--config-file", path.join(STACKS, name), ...args]);
    const shown = (name: string) => path.join(STACKS, name);

    it("reports a file that is not a mapping, or whose config is not one, at its line and column", async () => {
        assert.deepStrictEqual(await planFile("Pulumi.config-list.yaml"), { stdout: "", stderr: `plan: ${shown("Pulumi.config-list.yaml")}:3:3: config must be a mapping of key: value, not a list\n`, exitCode: 2 });
        assert.deepStrictEqual(await planFile("Pulumi.duplicate-key.yaml"), { stdout: "", stderr: `plan: ${shown("Pulumi.duplicate-key.yaml")}:4:3: Map keys must be unique\n`, exitCode: 2 });
    });

    it("reports a stack file that is a list, or a plain value", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        try {
            fs.writeFileSync(path.join(dir, "list.yaml"), "# a comment\n- aws:region: us-west-2\n");
            fs.writeFileSync(path.join(dir, "scalar.yaml"), "config: us-west-2\n");
            assert.deepStrictEqual(await run(["--config-file", path.join(dir, "list.yaml")]), {
                stdout: "", stderr: `plan: ${path.join(dir, "list.yaml")}:2:1: a stack file is a mapping with a config key, not a list\n`, exitCode: 2,
            });
            assert.deepStrictEqual(await run(["--config-file", path.join(dir, "scalar.yaml")]), {
                stdout: "", stderr: `plan: ${path.join(dir, "scalar.yaml")}:1:9: config must be a mapping of key: value, not the value "us-west-2"\n`, exitCode: 2,
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a file over 1 MiB, and a config file that is missing", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        try {
            const big = path.join(dir, "big.yaml");
            fs.writeFileSync(big, `config:\n  aws:region: us-west-2\n${"#".repeat(1024 * 1024)}\n`);
            assert.deepStrictEqual(await run(["--config-file", big]), {
                stdout: "", stderr: `plan: ${big} is ${fs.statSync(big).size} bytes; a stack file is a few lines of YAML, so plan reads none over 1 MiB (is it the right file?)\n`, exitCode: 2,
            });
            assert.deepStrictEqual(await run(["--config-file", path.join(dir, "none.yaml")]), { stdout: "", stderr: `plan: no config file ${path.join(dir, "none.yaml")}\n`, exitCode: 2 });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("treats encrypted values as secrets: a project key is rejected, another namespace's gets a note", async () => {
        assert.deepStrictEqual(await planFile("Pulumi.secrets.yaml"), {
            stdout: "",
            stderr: [
                `plan: note: aws:secretKey is stored as a secret in ${shown("Pulumi.secrets.yaml")}, which plan cannot decrypt offline; it ran with "[secret]" in its place`,
                "Invalid stack configuration (1 problem):",
                "  - stage: is stored as a secret, but it is not one; set it in plain text: `npm run pulumi -- config set stage <value>`",
                FIX_LINE,
                "",
            ].join("\n"),
            exitCode: 2,
        });
    });

    it("plans with a --set in place of a secret, noting the secrets it ran without", async () => {
        const result = await planFile("Pulumi.secrets.yaml", "--stage", "final");
        assert.strictEqual(result.exitCode, 0, result.stderr);
        assert.strictEqual(result.stderr, `plan: note: aws:secretKey is stored as a secret in ${shown("Pulumi.secrets.yaml")}, which plan cannot decrypt offline; it ran with "[secret]" in its place\n`);
        assert.match(result.stdout, /^Stack dev, stage final: /);
    });

    it("reports a YAML syntax error at its line and column from the command line, with exit 2 and nothing else", function () {
        this.timeout(60000);
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "bin/plan.ts", "--config-file", "tests/fixtures/stacks/Pulumi.broken.yaml"], {
            cwd: ROOT,
            env: { ...process.env, INIT_CWD: ROOT },
            encoding: "utf8",
        });
        assert.deepStrictEqual([result.status, result.stdout, result.stderr], [
            2,
            "",
            "plan: tests/fixtures/stacks/Pulumi.broken.yaml:5:3: Flow sequence in block collection must be sufficiently indented and end with a ]\n",
        ]);
    });
});

describe("plan --output", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-output-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes what stdout would get to the file, and nothing to stdout", async () => {
        const file = path.join(dir, "plan.json");
        const result = await run(["--stage", "final", "--format", "json", "-o", file]);
        assert.deepStrictEqual(result, { stdout: "", stderr: undefined, exitCode: 0 });
        assert.strictEqual(fs.readFileSync(file, "utf8"), (await run(["--stage", "final", "--format", "json"])).stdout);
        assert.deepStrictEqual(fs.readdirSync(dir), ["plan.json"]);
    });

    it("leaves an existing file alone when plan fails", async () => {
        const file = path.join(dir, "plan.json");
        fs.writeFileSync(file, "previous");
        const result = await run(["--stage", "deny_all", "--output", file]);
        assert.strictEqual(result.exitCode, 2);
        assert.strictEqual(fs.readFileSync(file, "utf8"), "previous");
        assert.deepStrictEqual(fs.readdirSync(dir), ["plan.json"]);
    });

    it("exits 2 naming the file when it cannot write it, and leaves no temporary file", async () => {
        const file = path.join(dir, "missing", "plan.json");
        const result = await run(["-o", file]);
        assert.strictEqual(result.exitCode, 2);
        assert.match(result.stderr ?? "", new RegExp(`^plan: cannot write ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ENOENT`));
        assert.deepStrictEqual(fs.readdirSync(dir), []);
    });
});
