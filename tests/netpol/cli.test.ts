/**
 * The netpol command on the files in tests/fixtures: what it prints, on which stream, and how it exits. Most tests
 * call the command's `run` in-process; one runs the real `npm run netpol` to prove the wiring.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { netpolWith } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = "tests/fixtures";
const STARS = `${FIXTURES}/stars`;

function netpol(...args: string[]) {
    return netpolWith({}, ...args);
}

describe("netpol check", () => {
    it("passes when every flow is as expected, one line per flow and a summary", () => {
        const result = netpol("check", STARS, "--expect", `${FIXTURES}/stars-flows.yaml`);
        assert.strictEqual(result.exitCode, 0);
        assert.strictEqual(result.stderr, undefined);
        const lines = result.stdout.trimEnd().split("\n");
        assert.strictEqual(lines.length, 10);
        assert.strictEqual(lines[0], "PASS  management-ui/management-ui -> stars/frontend on TCP 80: allowed");
        assert.strictEqual(lines[4], "PASS  client/client -> stars/backend on TCP 6379: denied");
        assert.strictEqual(lines[9], "9 passed, 0 failed");
    });

    it("fails with exit 1 and says why each wrong flow went the other way", () => {
        const result = netpol("check", STARS, "--expect", `${FIXTURES}/stars-wrong-flows.yaml`);
        assert.strictEqual(result.exitCode, 1);
        assert.strictEqual(result.stdout, [
            "FAIL  client/client -> stars/backend on TCP 6379: expected allowed, got denied: stars/backend is isolated for ingress by stars/default-deny, stars/allow-ui, stars/backend-policy, and no ingress rule admits traffic from client/client on TCP 6379",
            "PASS  management-ui/management-ui -> stars/frontend on TCP 80: allowed",
            "FAIL  stars/backend -> stars/frontend on TCP 80: expected allowed, got denied: stars/frontend is isolated for ingress by stars/default-deny, stars/allow-ui, stars/frontend-policy, and no ingress rule admits traffic from stars/backend on TCP 80",
            "1 passed, 2 failed",
            "",
        ].join("\n"));
    });

    it("prints JSON results with --json", () => {
        const result = netpol("check", STARS, "--expect", `${FIXTURES}/stars-wrong-flows.yaml`, "--json");
        assert.strictEqual(result.exitCode, 1);
        const json = JSON.parse(result.stdout);
        assert.deepStrictEqual(Object.keys(json), ["results", "passed", "failed"]);
        assert.deepStrictEqual([json.passed, json.failed], [1, 2]);
        assert.deepStrictEqual(json.results[1], {
            from: "management-ui/management-ui", to: "stars/frontend", port: 80, protocol: "TCP",
            expected: true, actual: true, pass: true,
            reason: "allowed: egress from management-ui/management-ui is not isolated (no policy selects it for egress); ingress to stars/frontend is allowed by stars/allow-ui ingress[0]",
        });
    });

    it("reads directories recursively, JSON Lists, and named ports, and notes namespaces it had to assume", () => {
        const result = netpol("matrix", `${FIXTURES}/mixed`, "--format", "json");
        assert.strictEqual(result.exitCode, 0);
        assert.deepStrictEqual(JSON.parse(result.stdout), [
            { from: "shop/api", to: "shop/api", port: 8080, protocol: "TCP", allowed: true },
            { from: "shop/api", to: "shop/web", port: 80, protocol: "TCP", allowed: true },
            { from: "shop/web", to: "shop/api", port: 8080, protocol: "TCP", allowed: true },
            { from: "shop/web", to: "shop/web", port: 80, protocol: "TCP", allowed: true },
        ]);
        assert.strictEqual(result.stderr, [
            "note: namespaces not defined in the manifests, assumed to exist with only the kubernetes.io/metadata.name label: shop",
            "note: not used (netpol reads Namespaces, Pods, workloads and networking.k8s.io NetworkPolicies): 1 ConfigMap, 1 without kind",
            "",
        ].join("\n"));
    });
});

describe("netpol matrix", () => {
    it("draws the grid over each destination's declared ports", () => {
        const result = netpol("matrix", STARS);
        assert.strictEqual(result.exitCode, 0);
        assert.strictEqual(result.stdout, [
            ". allowed   X denied   (rows: from, columns: to)",
            "A workload to itself is one of its pods to another, which policies govern like any other pair; a Pod to itself is loopback, always allowed.",
            "",
            "                            1 2 3 4",
            "client/client               X . X .",
            "management-ui/management-ui . . . .",
            "stars/backend               X . X X",
            "stars/frontend              X . . X",
            "",
            " 1  client/client:9000/TCP",
            " 2  management-ui/management-ui:9001/TCP",
            " 3  stars/backend:6379/TCP",
            " 4  stars/frontend:80/TCP",
            "",
        ].join("\n"));
    });

    it("checks one port everywhere with --port", () => {
        const flows = JSON.parse(netpol("matrix", STARS, "--port", "80", "--format", "json").stdout);
        assert.strictEqual(flows.length, 16);
        assert.ok(flows.every((f: { port: number }) => f.port === 80));
        assert.deepStrictEqual(flows.filter((f: { allowed: boolean }) => f.allowed).map((f: { from: string; to: string }) => `${f.from} -> ${f.to}`), [
            "client/client -> management-ui/management-ui",
            "client/client -> stars/frontend",
            "management-ui/management-ui -> client/client",
            "management-ui/management-ui -> management-ui/management-ui",
            "management-ui/management-ui -> stars/backend",
            "management-ui/management-ui -> stars/frontend",
            "stars/backend -> management-ui/management-ui",
            "stars/frontend -> management-ui/management-ui",
        ]);
    });

    it("draws an SVG with a box per workload, an arrow per allowed flow between two, and a loop where a workload's pods reach each other", () => {
        const result = netpol("matrix", STARS, "--format", "svg");
        assert.strictEqual(result.exitCode, 0);
        const svg = result.stdout;
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
        assert.match(svg, /<\/svg>\n$/);
        for (const ns of ["client", "management-ui", "stars"]) assert.ok(svg.includes(`>namespace ${ns}</text>`), ns);
        for (const w of ["client", "management-ui", "backend", "frontend"]) assert.ok(svg.includes(`>${w}</text>`), w);
        // 8 flows between workloads, and management-ui (not isolated) to itself.
        assert.strictEqual((svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length, 9);
        for (const label of ["TCP 80", "TCP 6379", "TCP 9000", "TCP 9001"]) assert.ok(svg.includes(`>${label}</text>`), label);
        assert.ok(!/<script|href=/.test(svg), "the picture must be self-contained");
    });
});

describe("netpol explain", () => {
    it("names every policy that selects either end and what each rule says", () => {
        const result = netpol("explain", STARS, "--from", "client/client", "--to", "stars/backend", "--port", "6379");
        assert.strictEqual(result.exitCode, 0);
        assert.strictEqual(result.stdout, [
            "client/client -> stars/backend on TCP 6379: DENIED",
            "egress from client/client: allowed, not isolated (no policy selects it for egress)",
            "ingress to stars/backend: DENIED, isolated by stars/default-deny, stars/allow-ui, stars/backend-policy",
            "  stars/default-deny: no ingress rules, so it admits nothing",
            "  stars/allow-ui ingress[0]: from all pods in namespaces role=management-ui, on all ports: does not match",
            "  stars/backend-policy ingress[0]: from role=frontend in namespace stars, on TCP 6379: does not match",
            "",
        ].join("\n"));
    });

    it("resolves a named port on the destination", () => {
        const result = netpol("explain", `${FIXTURES}/mixed`, "--from", "shop/web", "--to", "shop/api", "--port", "http");
        assert.strictEqual(result.stdout.split("\n")[0], "shop/web -> shop/api on TCP 8080: ALLOWED");
        assert.ok(result.stdout.includes("  shop/api ingress[0]: from app=web in namespace shop, on TCP port named http: admits this flow\n"));
    });
});

describe("netpol: bad input is reported clearly, all at once, with exit 2 and nothing on stdout", () => {
    const cases: { name: string; args: string[]; stderr: string[] }[] = [
        {
            name: "malformed YAML, with file and line",
            args: ["matrix", `${FIXTURES}/bad/malformed.yaml`],
            stderr: [`${FIXTURES}/bad/malformed.yaml:11: not valid YAML or JSON: missed comma between flow collection entries`],
        },
        {
            name: "a bad selector operator, an invalid CIDR, a port out of range and endPort below port, each at its line",
            args: ["matrix", `${FIXTURES}/bad/policies.yaml`],
            stderr: [
                `${FIXTURES}/bad/policies.yaml:9: spec.podSelector.matchExpressions[0].operator: unknown operator "Equals"; use one of In, NotIn, Exists, DoesNotExist`,
                `${FIXTURES}/bad/policies.yaml:12: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" is not a CIDR; use the form "10.0.0.0/16" or "2001:db8::/32"`,
                `${FIXTURES}/bad/policies.yaml:14: spec.ingress[0].ports[0].port: port must be from 1 to 65535, got 70000`,
                `${FIXTURES}/bad/policies.yaml:16: spec.ingress[0].ports[1].endPort: endPort 8000 is below port 8080; a range needs port <= endPort`,
            ],
        },
        {
            name: "an unknown endpoint with close matches, a named port on an ip: endpoint, and a malformed flow",
            args: ["check", STARS, "--expect", `${FIXTURES}/bad/flows-typo.yaml`],
            stderr: [
                `${FIXTURES}/bad/flows-typo.yaml:2: [1].from: unknown endpoint "client/clinet"; did you mean client/client?`,
                `${FIXTURES}/bad/flows-typo.yaml:3: [2].port: named port "http" needs a pod destination; ip:192.0.2.1 is outside the cluster, so give a number`,
                `${FIXTURES}/bad/flows-typo.yaml:4: [3].allowed: allowed must be true or false, got "yes"`,
            ],
        },
        {
            name: "a path that does not exist",
            args: ["matrix", `${FIXTURES}/nowhere`],
            stderr: [`${FIXTURES}/nowhere: no such file or directory`],
        },
        {
            name: "a --namespace that the input does not have",
            args: ["matrix", STARS, "--namespace", "star", "--namespace", "nowhere"],
            stderr: ['--namespace "star": no such namespace in the input; did you mean stars?', '--namespace "nowhere": no such namespace in the input'],
        },
        {
            name: "flags of explain that do not resolve",
            args: ["explain", STARS, "--from", "stars/frontnd", "--to", "ip:300.1.1.1", "--port", "80"],
            stderr: [
                '--from: unknown endpoint "stars/frontnd"; did you mean stars/frontend?',
                '--to: "ip:300.1.1.1" is not an IPv4 or IPv6 address; use the form ip:203.0.113.9',
            ],
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const result = netpol(...c.args);
            assert.strictEqual(result.exitCode, 2);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, ["netpol: invalid input:", ...c.stderr.map((l) => `  ${l}`), ""].join("\n"));
        });
    }

    it("usage errors exit 2 with commander's message", () => {
        const result = netpol("check", STARS);
        assert.strictEqual(result.exitCode, 2);
        assert.strictEqual(result.stderr, "error: required option '--expect <file>' not specified\n");
        assert.strictEqual(netpol("matrix", STARS, "--format", "png").exitCode, 2);
        assert.strictEqual(netpol("matrix", STARS, "--port", "0").stderr, "netpol: invalid input:\n  --port must be a whole number from 1 to 65535, got \"0\"\n");
    });
});

describe("netpol as a command", () => {
    it("runs through npm and exits with the check's status", function () {
        this.timeout(60000);
        let status = 0;
        let stdout = "";
        try {
            stdout = execFileSync("npm", ["run", "--silent", "netpol", "--", "check", STARS, "--expect", `${FIXTURES}/stars-wrong-flows.yaml`], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
            status = (e as { status: number }).status;
            stdout = (e as { stdout: string }).stdout;
        }
        assert.strictEqual(status, 1);
        assert.match(stdout, /\n1 passed, 2 failed\n$/);
    });
});
