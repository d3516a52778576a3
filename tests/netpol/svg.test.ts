/**
 * Pictures people can read, checked geometrically: in every picture, no two label boxes intersect and no label covers
 * a workload; the full plan is a panel per demo, not one long strip; small pictures stay one clean panel.
 */
import * as assert from "assert";
import { run as plan } from "../../bin/plan";
import { netpolWith } from "./helpers";
import { intersects, placeLabels, Rect } from "../../policies/netpol/labelPlacement";
import { MatrixFlow } from "../../policies/netpol/matrix";
import { renderSvg } from "../../policies/netpol/svg";

function rects(svg: string, cls: string): Rect[] {
    return [...svg.matchAll(new RegExp(`<rect class="${cls}" x="([-\\d.]+)" y="([-\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`, "g"))].map((m) => ({
        x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]),
    }));
}

/** Every pair of label boxes that intersect, and every label that covers a workload, as text. */
function overlaps(svg: string): string[] {
    const labels = rects(svg, "label");
    const boxes = rects(svg, "workload");
    const found: string[] = [];
    labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => intersects(a, b) && found.push(`label ${JSON.stringify(a)} and label ${JSON.stringify(b)}`)));
    labels.forEach((a) => boxes.forEach((b) => intersects(a, b) && found.push(`label ${JSON.stringify(a)} and workload ${JSON.stringify(b)}`)));
    return found;
}

function width(svg: string): number {
    return Number(/^<svg [^>]*width="(\d+)"/.exec(svg)![1]);
}

/** Every workload of `namespaces` x `perNamespace` allowed to reach every other on port 80: the densest picture. */
function everyoneTalks(namespaces: number, perNamespace: number): { endpoints: string[]; flows: MatrixFlow[] } {
    const endpoints = Array.from({ length: namespaces }, (_, n) => Array.from({ length: perNamespace }, (_, w) => `ns-${n}/app-${w}`)).flat();
    const flows = endpoints.flatMap((from) => endpoints.map((to) => ({ from, to, port: 80, protocol: "TCP" as const, allowed: true })));
    return { endpoints, flows };
}

describe("SVG pictures: no label overlaps another or a workload", () => {
    const planSvg = async (...args: string[]) => (await plan([...args, "--format", "svg"])).stdout;
    const cases: { name: string; svg: () => Promise<string> | string; panels: number; maxWidth: number }[] = [
        { name: "the Stars fixtures (netpol matrix): one panel, as before", svg: () => netpolWith({}, "matrix", "tests/fixtures/stars", "--format", "svg").stdout, panels: 0, maxWidth: 1200 },
        { name: "the full plan, both demos, stage final: a panel per demo", svg: () => planSvg("--stage", "final"), panels: 2, maxWidth: 1200 },
        { name: "the full plan, stage open: every flow allowed", svg: () => planSvg("--stage", "open"), panels: 2, maxWidth: 1200 },
        { name: "isolated namespaces: the loops of traffic inside each namespace", svg: () => planSvg("--set", "isolateNamespaces=true"), panels: 2, maxWidth: 1200 },
        {
            name: "six namespaces of four workloads where everyone talks: panels of namespaces, labels that do not fit listed",
            svg: () => {
                const { endpoints, flows } = everyoneTalks(6, 4);
                return renderSvg(endpoints, flows, "dense");
            },
            panels: 2,
            maxWidth: 1300,
        },
    ];
    for (const c of cases) {
        it(c.name, async () => {
            const svg = await c.svg();
            assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
            assert.ok(rects(svg, "label").length > 0, "the picture has labels");
            assert.deepStrictEqual(overlaps(svg), []);
            assert.strictEqual((svg.match(/font-size="15" font-weight="bold"/g) ?? []).length, c.panels, "panel titles");
            assert.ok(width(svg) <= c.maxWidth, `width ${width(svg)}`);
        });
    }

    it("draws the loop of a workload whose pods reach each other, and lists flows to another panel", async () => {
        // Isolated namespaces: the only traffic left is each frontend's pods to each other, three loops.
        const isolated = await planSvg("--set", "isolateNamespaces=true", "--set", 'demos=["namespaces"]');
        assert.strictEqual((isolated.match(/<path d="M[\d.]+,[\d.]+ C/g) ?? []).length, 3);
        assert.match(isolated, /a loop: a workload's pods reach each other/);
        const svg = await planSvg("--stage", "final");
        assert.ok(svg.includes(">demo namespaces</text>") && svg.includes(">demo stars</text>"));
        assert.ok(svg.includes(">management-ui/management-ui -&gt; namespace-a/frontend-a, namespace-b/frontend-b, namespace-c/frontend-c: TCP 80 (in another panel)</text>"), svg);
    });
});

describe("placeLabels", () => {
    it("takes the first free candidate, skips obstacles, and gives up (undefined) when none is free", () => {
        const obstacle = { x: 0, y: 0, width: 10, height: 10 };
        const placed = placeLabels(
            [
                { width: 4, height: 4, candidates: [{ x: 5, y: 5 }, { x: 20, y: 5 }] },
                { width: 4, height: 4, candidates: [{ x: 21, y: 6 }, { x: 30, y: 5 }] },
                { width: 4, height: 4, candidates: [{ x: 5, y: 5 }, { x: 20, y: 6 }] },
            ],
            [obstacle],
        );
        assert.deepStrictEqual(placed, [{ x: 18, y: 3, width: 4, height: 4 }, { x: 28, y: 3, width: 4, height: 4 }, undefined]);
    });
});
