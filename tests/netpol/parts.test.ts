/** The engine's building blocks, each on its own: addresses, selectors, policy validation, YAML splitting, grids. */
import * as assert from "assert";
import { analyzeObjects, namespace, policy } from "./helpers";
import { cidrContains, parseAddress, parseCidr } from "../../policies/netpol/cidr";
import { InputError } from "../../policies/netpol/errors";
import { splitDocuments } from "../../policies/netpol/load";
import { closeMatches } from "../../policies/netpol/suggest";
import { TruthTable } from "../../policies/netpol/truthTable";
import { NetworkPolicySpec } from "../../policies/netpol/types";

describe("addresses and CIDRs", () => {
    const addresses: [string, boolean][] = [
        ["192.0.2.1", true], ["0.0.0.0", true], ["255.255.255.255", true], ["256.0.0.1", false], ["1.2.3", false], ["01.2.3.4", false],
        ["2001:db8::1", true], ["::", true], ["::1", true], ["fe80::", true], ["::ffff:192.0.2.1", true], ["2001:db8:0:0:0:0:0:1", true],
        ["2001:db8::1::2", false], ["2001:db8:0:0:0:0:0:0:1", false], ["12345::", false], ["g::1", false], ["", false],
    ];
    for (const [text, valid] of addresses) it(`${JSON.stringify(text)} is ${valid ? "" : "not "}an address`, () => assert.strictEqual(parseAddress(text) !== undefined, valid));

    it("reads :: and the embedded IPv4 form as the same address as the long form", () => {
        assert.deepStrictEqual(parseAddress("::ffff:192.0.2.1"), parseAddress("0:0:0:0:0:ffff:c000:201"));
        assert.deepStrictEqual(parseAddress("2001:db8::1"), parseAddress("2001:0db8:0000:0000:0000:0000:0000:0001"));
    });

    it("clears host bits, as the API server accepts them, and tests membership per family", () => {
        const block = parseCidr("10.1.2.3/8")!;
        assert.ok(cidrContains(block, parseAddress("10.255.0.1")!));
        assert.ok(!cidrContains(block, parseAddress("11.0.0.1")!));
        assert.ok(cidrContains(parseCidr("0.0.0.0/0")!, parseAddress("203.0.113.9")!));
        assert.ok(!cidrContains(parseCidr("0.0.0.0/0")!, parseAddress("::1")!));
        assert.ok(cidrContains(parseCidr("::/0")!, parseAddress("2001:db8::1")!));
        assert.ok(cidrContains(parseCidr("2001:db8::/127")!, parseAddress("2001:db8::1")!));
        assert.ok(!cidrContains(parseCidr("2001:db8::/128")!, parseAddress("2001:db8::1")!));
    });

    for (const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "2001:db8::/129", "x/8", "10.0.0.0/8/8"]) {
        it(`rejects ${bad}`, () => assert.strictEqual(parseCidr(bad), undefined));
    }
});

describe("policy validation: every problem, at its field", () => {
    const cases: { name: string; spec: NetworkPolicySpec; problems: string[] }[] = [
        {
            name: "In and NotIn need values; Exists and DoesNotExist take none; a requirement needs a key",
            spec: { podSelector: { matchExpressions: [{ key: "a", operator: "In", values: [] }, { key: "b", operator: "Exists", values: ["x"] }, { operator: "DoesNotExist" }] } },
            problems: [
                "spec.podSelector.matchExpressions[0]: operator In needs at least one value",
                'spec.podSelector.matchExpressions[1]: operator Exists takes no values, got ["x"]',
                "spec.podSelector.matchExpressions[2]: key is required",
            ],
        },
        {
            name: "a peer needs something to select, and ipBlock stands alone",
            spec: { ingress: [{ from: [{}, { ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] },
            problems: [
                "spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock",
                "spec.ingress[0].from[1]: ipBlock cannot be combined with podSelector or namespaceSelector in one peer; make them separate peers",
            ],
        },
        {
            name: "except must lie strictly inside the block",
            spec: { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24", "10.0.0.0/16", "nonsense"] } }] }] },
            problems: [
                "spec.egress[0].to[0].ipBlock.except[0]: 10.1.0.0/24 must lie strictly inside 10.0.0.0/16",
                "spec.egress[0].to[0].ipBlock.except[1]: 10.0.0.0/16 must lie strictly inside 10.0.0.0/16",
                'spec.egress[0].to[0].ipBlock.except[2]: "nonsense" is not a CIDR',
            ],
        },
        {
            name: "ports: protocol, quoted numbers, names, and endPort rules",
            spec: { ingress: [{ ports: [{ protocol: "ICMP" }, { port: "80" }, { port: "Web_Port" }, { port: "http", endPort: 90 }, { endPort: 90 }] }] },
            problems: [
                'spec.ingress[0].ports[0].protocol: protocol must be one of TCP, UDP, SCTP, got "ICMP"',
                'spec.ingress[0].ports[1].port: "80" is not a valid port name; write the number without quotes',
                'spec.ingress[0].ports[2].port: "Web_Port" is not a valid port name (1-15 lowercase letters, digits and hyphens)',
                "spec.ingress[0].ports[3].endPort: endPort cannot be used with a named port",
                "spec.ingress[0].ports[4].endPort: endPort needs a numeric port",
            ],
        },
        {
            name: "unknown policy types",
            spec: { policyTypes: ["Ingress", "Egres"] },
            problems: ['spec.policyTypes[1]: unknown policy type "Egres"; use Ingress or Egress'],
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            let problems: string[] = [];
            try {
                analyzeObjects([namespace("x"), policy("x/p", c.spec)]);
            } catch (e) {
                assert.ok(e instanceof InputError, String(e));
                problems = e.problems.map((p) => `${p.path}: ${p.message}`);
            }
            assert.deepStrictEqual(problems, c.problems);
        });
    }

    it("reports fields of the wrong shape instead of failing on them", () => {
        const badPod = { kind: "Pod", metadata: { name: "p", namespace: "x" }, spec: { containers: [{ name: "c", ports: {} }, "oops"] } };
        const badPolicy = policy("x/p", { ingress: { from: [] } as never, podSelector: { matchExpressions: [{ key: "a", operator: "In", values: [1] as never }] } });
        assert.throws(() => analyzeObjects([namespace("x"), badPod, badPolicy]), {
            message: [
                'test.yaml:2: spec.containers[1]: must be a mapping, got "oops"',
                "test.yaml:2: spec.containers[0].ports: must be a list, got {}",
                "test.yaml:3: spec.podSelector.matchExpressions[0].values: values must be strings; quote [1] in YAML",
                'test.yaml:3: spec.ingress: must be a list, got {"from":[]}',
            ].join("\n"),
        });
    });

    it("rejects objects defined twice and labels that are not strings", () => {
        assert.throws(() => analyzeObjects([namespace("x"), namespace("x"), { kind: "Pod", metadata: { name: "p", namespace: "x", labels: { tier: 1 as unknown as string } } }]), {
            message: "test.yaml:2: Namespace x is defined twice (first at test.yaml:1)\ntest.yaml:3: metadata.labels: label \"tier\" must be a string; quote 1 in YAML",
        });
    });
});

describe("analyze, the front door for objects from anywhere", () => {
    it("reads a typed list handed in whole (as the API server returns it) as its items", () => {
        const podList = { apiVersion: "v1", kind: "PodList", items: [{ metadata: { name: "a", namespace: "x" } }, { metadata: { name: "b", namespace: "x" } }] };
        const analysis = analyzeObjects([namespace("x"), podList as never]);
        assert.deepStrictEqual(analysis.model.endpoints.map((e) => `${e.kind} ${e.id}`), ["Pod x/a", "Pod x/b"]);
        assert.deepStrictEqual([...analysis.unused], []);
    });
});

describe("splitDocuments", () => {
    it("splits at --- and ..., skips empty documents, and keeps each document's lines", () => {
        const text = ["# leading comment", "a: 1", "---", "", "---", "b: 2", "...", "---  # marker with a comment", "c: |", "  text", "d: 3"].join("\n");
        assert.deepStrictEqual(splitDocuments(text).map((c) => [c.firstLine, c.contentLine, c.text]), [
            [1, 2, "# leading comment\na: 1"],
            [5, 6, "---\nb: 2"],
            [8, 9, "---  # marker with a comment\nc: |\n  text\nd: 3"],
        ]);
    });
});

describe("TruthTable", () => {
    it("refuses keys it was not built with, and compares cell by cell", () => {
        const a = new TruthTable<boolean>(["x"], ["y", "z"]);
        assert.throws(() => a.set("q", "y", true), { message: "unknown source q; sources are x" });
        assert.throws(() => a.get("x", "q"), { message: "unknown destination q; destinations are y, z" });
        a.set("x", "y", true);
        assert.strictEqual(a.isComplete(), false);
        a.set("x", "z", false);
        const b = new TruthTable<boolean>(["x"], ["y", "z"]);
        b.set("x", "y", true);
        b.set("x", "z", true);
        const diff = a.compare(b);
        assert.deepStrictEqual([diff.get("x", "y"), diff.get("x", "z")], [true, false]);
    });
});

describe("closeMatches", () => {
    it("suggests the nearest candidates, closest first, and nothing far off", () => {
        assert.deepStrictEqual(closeMatches("stars/frontnd", ["stars/frontend", "stars/backend", "client/client"]), ["stars/frontend"]);
        assert.deepStrictEqual(closeMatches("zzz/zzz", ["stars/frontend"]), []);
    });
});
