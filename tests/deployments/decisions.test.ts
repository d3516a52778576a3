/**
 * The deployments project's pure decisions: the TTL clock (stable across unrelated updates), the path filters (a
 * change to docs alone deploys nothing), the OIDC subjects, and the review-stack template's settings.
 */
import * as assert from "assert";
import { ttlClockProvider } from "../../deployments/components/ttlClock";
import { LabStack } from "../../deployments/config";
import { deploymentsSubjects, githubSubjects } from "../../deployments/iamPolicies";
import { deployPaths, pushPaths, settingsInputs } from "../../deployments/settingsArgs";
import { ClockState, clockState, startClock, updateClock } from "../../deployments/ttl";
import { parseDeploymentsSettings } from "../../deployments/config";

describe("TTL clock", () => {
    const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

    const cases: { name: string; start: string; hours: number; expires: string }[] = [
        { name: "8 hours, the default", start: "2030-01-01T00:00:00Z", hours: 8, expires: "2030-01-01T08:00:00Z" },
        { name: "across midnight and a month", start: "2030-01-31T20:30:15Z", hours: 8, expires: "2030-02-01T04:30:15Z" },
        { name: "a week, the most", start: "2030-03-01T12:00:00Z", hours: 168, expires: "2030-03-08T12:00:00Z" },
        { name: "a start with milliseconds, kept to whole seconds", start: "2030-01-01T00:00:00.987Z", hours: 1, expires: "2030-01-01T01:00:00Z" },
    ];
    for (const c of cases) {
        it(`expires ${c.name}, in RFC 3339`, () => {
            const state = clockState(c.hours, c.start);
            assert.strictEqual(state.expiresAt, c.expires);
            assert.match(state.startedAt, RFC3339);
            assert.match(state.expiresAt, RFC3339);
        });
    }

    it("does not move on an update with the same hours; new hours count from the same start", () => {
        const clock = startClock(8, new Date("2030-01-01T09:15:00.250Z"));
        assert.deepStrictEqual(clock, { hours: 8, startedAt: "2030-01-01T09:15:00Z", expiresAt: "2030-01-01T17:15:00Z" });
        assert.deepStrictEqual(updateClock(clock, 8), clock);
        assert.deepStrictEqual(updateClock(clock, 12), { hours: 12, startedAt: "2030-01-01T09:15:00Z", expiresAt: "2030-01-01T21:15:00Z" });
    });

    // The resource itself, run as Pulumi runs it (in the dynamic-provider host), is tests/deployments/ttlClockHost.test.ts.
    it("as a resource: starts at creation, reports no change on an unrelated up, an update (not a replacement) for new hours", async () => {
        const created = await ttlClockProvider.create({ hours: 8, labStack: "dev" });
        const outs = created.outs as ClockState;
        assert.match(outs.startedAt, RFC3339);
        assert.deepStrictEqual(outs, clockState(8, outs.startedAt));
        const olds = { ...outs, __provider: "code" };
        assert.deepStrictEqual(await ttlClockProvider.diff!(created.id, olds, { hours: 8, labStack: "dev", __provider: "code" }), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.deepStrictEqual(await ttlClockProvider.diff!(created.id, olds, { hours: 10, labStack: "dev", __provider: "code" }), { changes: true, replaces: [], deleteBeforeReplace: false });
        const updated = await ttlClockProvider.update!(created.id, olds, { hours: 10, labStack: "dev" });
        assert.deepStrictEqual(updated.outs, clockState(10, outs.startedAt));
    });
});

/** Deployments path filters: globs over the whole path; `*` stays within a directory, `**` does not; `!` excludes. */
function deploys(filters: string[], changed: string[]): boolean {
    const regex = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*/g, "\u0000").replace(/\*/g, "[^/]*").replace(/\u0000/g, ".*")}$`);
    const includes = filters.filter((f) => !f.startsWith("!")).map(regex);
    const excludes = filters.filter((f) => f.startsWith("!")).map((f) => regex(f.slice(1)));
    return changed.some((file) => !excludes.some((r) => r.test(file)) && includes.some((r) => r.test(file)));
}

describe("path filters", () => {
    const cases: [string[], boolean][] = [
        [["README.md"], false],
        [["README.md", "docs/ci.md"], false],
        [["tests/plan.test.ts", "tests/fixtures/stars/02-policies.yaml"], false],
        [[".github/workflows/pull-request.yml"], false],
        [["deployments/index.ts", "deployments/Pulumi.ci.yaml"], false],
        [["Pulumi.prod.yaml"], false],
        [["index.ts"], true],
        [["config.ts"], true],
        [["components/calico.ts"], true],
        [["policies/stars.ts"], true],
        [["Pulumi.dev.yaml"], true],
        [["package-lock.json"], true],
        [["README.md", "policies/namespacesDemo.ts"], true],
    ];
    for (const [changed, expected] of cases) {
        it(`${expected ? "deploys" : "does not deploy"} dev for ${changed.join(", ")}`, () => assert.strictEqual(deploys(deployPaths("dev"), changed), expected));
    }

    it("the deploy workflow's push filter is every stack's filters together", () => {
        assert.strictEqual(deploys(pushPaths(), ["Pulumi.prod.yaml"]), true);
        assert.strictEqual(deploys(pushPaths(), ["README.md", "docs/ci.md", "deployments/index.ts"]), false);
    });
});

describe("OIDC subjects", () => {
    it("pin Deployments to the organization, the lab project and each stack, any operation", () => {
        assert.deepStrictEqual(deploymentsSubjects("acme", ["dev", "prod"], false), [
            "pulumi:deploy:org:acme:project:eks-netpol-lab:stack:dev:operation:*:scope:write",
            "pulumi:deploy:org:acme:project:eks-netpol-lab:stack:prod:operation:*:scope:write",
        ]);
    });

    it("widen, with review stacks (whose names are generated), to the project's stacks, never beyond the organization", () => {
        assert.deepStrictEqual(deploymentsSubjects("acme", ["dev"], true), ["pulumi:deploy:org:acme:project:eks-netpol-lab:stack:*"]);
    });

    it("name GitHub's repository by name and by id, on the branch only", () => {
        assert.deepStrictEqual(githubSubjects({ repository: "Octo-Org/lab", ownerId: 1, repositoryId: 2, branch: "main", environment: "" }), [
            "repo:Octo-Org/lab:ref:refs/heads/main",
            "repo:Octo-Org@1/lab@2:ref:refs/heads/main",
        ]);
    });
});

describe("review-stack template settings", () => {
    it("make the template of review stacks, which neither previews nor deploys by itself", () => {
        const settings = parseDeploymentsSettings({
            config: { "eks-netpol-lab-deployments:organization": "acme", "eks-netpol-lab-deployments:repository": "acme/lab", "eks-netpol-lab-deployments:githubOwnerId": "1", "eks-netpol-lab-deployments:githubRepositoryId": "2", "eks-netpol-lab-deployments:previewPullRequests": "true" },
            secretKeys: new Set(),
            stackFiles: { dev: "config:\n  aws:region: us-west-2\n" },
        });
        const template: LabStack = { name: "pr", region: "us-west-2", clusterName: "eks-netpol-lab-pr", cluster: "created" };
        const vcs = settingsInputs(settings, template.name, "arn:aws:iam::123456789012:role/eks-netpol-lab-deploy", true).vcs;
        assert.deepStrictEqual([vcs.pullRequestTemplate, vcs.previewPullRequests, vcs.deployCommits], [true, false, false]);
        assert.deepStrictEqual(settingsInputs(settings, "dev", "arn", false).vcs.previewPullRequests, true);
    });
});
