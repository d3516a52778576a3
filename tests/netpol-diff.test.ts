/**
 * `netpol diff`: the pure comparison as a table, and the command on manifests written to a temporary directory (the
 * Stars fixtures with and without their policies, and small clusters built in code).
 */
import * as assert from "assert";
import * as fs from "fs";
import { dump } from "js-yaml";
import * as os from "os";
import * as path from "path";
import { run as netpol } from "../bin/netpol";
import { connectivityDiff, formatDiff } from "../policies/netpol/diff";
import { MatrixFlow } from "../policies/netpol/matrix";
import { KubeObject } from "../policies/netpol/types";
import { deployment, namespace, policy } from "./netpol/helpers";

/** netpol with its output as one string (matrix output may come in pieces). */
function run(args: string[]): { stdout: string; stderr?: string; exitCode: number } {
    const result = netpol(args);
    return { ...result, stdout: typeof result.stdout === "string" ? result.stdout : [...result.stdout].join("") };
}

const STARS = path.resolve(__dirname, "fixtures", "stars");

const flow = (from: string, to: string, port: number, allowed: boolean): MatrixFlow => ({ from, to, port, protocol: "TCP", allowed });
const change = (from: string, to: string, port: number) => ({ from, to, port, protocol: "TCP" as const });

describe("connectivityDiff", () => {
    const cases: { name: string; before: MatrixFlow[]; after: MatrixFlow[]; opened: object[]; closed: object[] }[] = [
        { name: "same verdicts: nothing", before: [flow("a/x", "b/y", 80, true), flow("b/y", "a/x", 80, false)], after: [flow("b/y", "a/x", 80, false), flow("a/x", "b/y", 80, true)], opened: [], closed: [] },
        { name: "denied to allowed: opened", before: [flow("a/x", "b/y", 80, false)], after: [flow("a/x", "b/y", 80, true)], opened: [change("a/x", "b/y", 80)], closed: [] },
        { name: "allowed to denied: closed", before: [flow("a/x", "b/y", 80, true)], after: [flow("a/x", "b/y", 80, false)], opened: [], closed: [change("a/x", "b/y", 80)] },
        { name: "a new workload's allowed flow: opened", before: [], after: [flow("a/x", "c/new", 80, true), flow("c/new", "a/x", 80, false)], opened: [change("a/x", "c/new", 80)], closed: [] },
        { name: "a removed workload's allowed flow: closed", before: [flow("a/x", "c/old", 80, true)], after: [], opened: [], closed: [change("a/x", "c/old", 80)] },
        { name: "the same pair on another port is another flow", before: [flow("a/x", "b/y", 80, true)], after: [flow("a/x", "b/y", 8080, true)], opened: [change("a/x", "b/y", 8080)], closed: [change("a/x", "b/y", 80)] },
        {
            name: "sorted by from, to, port",
            before: [],
            after: [flow("b/y", "a/x", 80, true), flow("a/x", "b/y", 443, true), flow("a/x", "b/y", 80, true)],
            opened: [change("a/x", "b/y", 80), change("a/x", "b/y", 443), change("b/y", "a/x", 80)],
            closed: [],
        },
    ];
    for (const c of cases) {
        it(c.name, () => assert.deepStrictEqual(connectivityDiff(c.before, c.after), { opened: c.opened, closed: c.closed }));
    }

    it("prints opened then closed, one flow a line, or says nothing changed", () => {
        assert.deepStrictEqual(formatDiff({ opened: [], closed: [] }), ["no change: every workload-to-workload flow has the same verdict"]);
        assert.deepStrictEqual(formatDiff({ opened: [change("a/x", "b/y", 80)], closed: [change("b/y", "a/x", 53)] }), [
            "opened (1):", "  a/x -> b/y TCP 80", "closed (1):", "  b/y -> a/x TCP 53",
        ]);
    });
});

describe("netpol diff", () => {
    let dir: string;
    /** Writes `files` (name to objects or text) under the temporary directory and returns its path. */
    const write = (sub: string, files: Record<string, KubeObject[] | string>) => {
        const target = path.join(dir, sub);
        fs.mkdirSync(target, { recursive: true });
        for (const [name, content] of Object.entries(files)) {
            fs.writeFileSync(path.join(target, name), typeof content === "string" ? content : content.map((o) => dump(o)).join("---\n"));
        }
        return target;
    };
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-diff-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The Stars fixtures without their policies: every flow open. */
    const starsOpen = () => write("open", Object.fromEntries(["00-namespaces.yaml", "01-workloads.yaml"].map((f) => [f, fs.readFileSync(path.join(STARS, f), "utf8")])));

    it("lists, as JSON, exactly the flows the Stars policies close, and exits 1", () => {
        const result = run(["diff", starsOpen(), STARS, "--json"]);
        assert.strictEqual(result.exitCode, 1);
        const diff = JSON.parse(result.stdout);
        assert.deepStrictEqual(Object.keys(diff), ["opened", "closed"]);
        assert.deepStrictEqual(diff.opened, []);
        // final: only the UI reaches client, frontend and backend; client reaches frontend; frontend reaches backend.
        assert.deepStrictEqual(diff.closed, [
            change("client/client", "client/client", 9000),
            change("client/client", "stars/backend", 6379),
            change("stars/backend", "client/client", 9000),
            change("stars/backend", "stars/backend", 6379),
            change("stars/backend", "stars/frontend", 80),
            change("stars/frontend", "client/client", 9000),
            change("stars/frontend", "stars/frontend", 80),
        ]);
    });

    it("prints the same as text, and the reverse direction opens them", () => {
        const result = run(["diff", STARS, starsOpen()]);
        assert.strictEqual(result.exitCode, 1);
        assert.strictEqual(result.stdout, [
            "opened (7):",
            "  client/client -> client/client TCP 9000",
            "  client/client -> stars/backend TCP 6379",
            "  stars/backend -> client/client TCP 9000",
            "  stars/backend -> stars/backend TCP 6379",
            "  stars/backend -> stars/frontend TCP 80",
            "  stars/frontend -> client/client TCP 9000",
            "  stars/frontend -> stars/frontend TCP 80",
            "",
        ].join("\n"));
    });

    it("exits 0 when nothing changes, in both formats", () => {
        assert.deepStrictEqual(run(["diff", STARS, STARS]), { stdout: "no change: every workload-to-workload flow has the same verdict\n", exitCode: 0 });
        assert.deepStrictEqual(run(["diff", STARS, STARS, "--json"]), { stdout: '{\n  "opened": [],\n  "closed": []\n}\n', exitCode: 0 });
    });

    it("counts a new workload's reachable ports as opened", () => {
        const before = write("before", { "a.yaml": [namespace("shop"), deployment("shop/web", { app: "web" }, ["80"]), policy("shop/web-only-from-shop", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] });
        const after = write("after", { "a.yaml": [namespace("shop"), deployment("shop/web", { app: "web" }, ["80"]), deployment("shop/api", { app: "api" }, ["8080"]), policy("shop/web-only-from-shop", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] });
        assert.deepStrictEqual(JSON.parse(run(["diff", before, after, "--json"]).stdout), {
            opened: [change("shop/api", "shop/api", 8080), change("shop/api", "shop/web", 80), change("shop/web", "shop/api", 8080)],
            closed: [],
        });
    });

    it("reports every problem of both sides at once, with exit 2 and nothing on stdout", () => {
        const broken = write("broken", { "bad.yaml": "kind: NetworkPolicy\nmetadata: {name: [unclosed\n" });
        const result = run(["diff", path.join(dir, "missing"), broken]);
        assert.deepStrictEqual(result, {
            stdout: "",
            stderr: [
                "netpol: invalid input:",
                `  ${path.join(dir, "missing")}: no such file or directory`,
                `  ${path.join(broken, "bad.yaml")}:3: not valid YAML or JSON: unexpected end of the stream within a flow collection`,
                "",
            ].join("\n"),
            exitCode: 2,
        });
    });

    it("needs both sides", () => {
        const result = run(["diff", STARS]);
        assert.strictEqual(result.exitCode, 2);
        assert.match(result.stderr ?? "", /missing required argument 'after'/);
    });
});
