/**
 * Switching policy engines: which transitions one `pulumi up` may make, as a table. Pulumi creates and updates
 * everything before it deletes anything, so a switch is safe only when nothing must be removed before something else
 * is turned on or off.
 */
import * as assert from "assert";
import { EngineState, engineSwitchProblem } from "../components/policyEngineGuard";

type Case = { from?: EngineState; to: EngineState; allowed: boolean; why: string };

const calico = (networkPolicies = 4): EngineState => ({ engine: "calico", networkPolicies });
const vpcCni = (networkPolicies = 4): EngineState => ({ engine: "vpc-cni", networkPolicies });
const none: EngineState = { engine: "none", networkPolicies: 0 };

const CASES: Case[] = [
    { to: calico(), allowed: true, why: "the first update has nothing to switch from" },
    { from: calico(), to: calico(7), allowed: true, why: "a stage change keeps the engine" },
    { from: vpcCni(0), to: vpcCni(4), allowed: true, why: "a stage change keeps the engine" },
    { from: calico(), to: none, allowed: true, why: "Calico's policies and Calico are deleted, then the nodes replaced; nothing is turned on" },
    { from: vpcCni(0), to: none, allowed: true, why: "no policy is left when the agent is turned off" },
    { from: none, to: calico(), allowed: true, why: "nothing runs yet" },
    { from: none, to: vpcCni(), allowed: true, why: "nothing runs yet" },
    { from: calico(), to: vpcCni(), allowed: false, why: "the VPC CNI's agent would start while Calico still runs" },
    { from: vpcCni(), to: calico(), allowed: false, why: "Calico would start while the agent still runs" },
    { from: vpcCni(0), to: calico(0), allowed: false, why: "both engines at once, even without policies" },
    { from: vpcCni(3), to: none, allowed: false, why: "the agent would be turned off before its 3 policies are deleted" },
];

describe("policy engine switch", () => {
    for (const c of CASES) {
        it(`${c.from?.engine ?? "(nothing)"}(${c.from?.networkPolicies ?? "-"}) -> ${c.to.engine}: ${c.allowed ? "allowed" : "refused"}, ${c.why}`, () => {
            const problem = engineSwitchProblem(c.from ?? {}, c.to);
            assert.strictEqual(problem === undefined, c.allowed, problem);
        });
    }

    it("gives the two-step procedure through none for a direct switch", () => {
        assert.strictEqual(
            engineSwitchProblem(calico(), vpcCni()),
            'policyEngine: switching from "calico" to "vpc-cni" in one update would run both engines at once (Pulumi turns the new one on ' +
                'before it removes the old one, and the two conflict). Switch in two updates, through "none": first ' +
                "`npm run pulumi -- config set stage open && npm run pulumi -- config set isolateNamespaces false && " +
                "npm run pulumi -- config set policyEngine none && npm run pulumi -- up` (removes calico), then " +
                "`npm run pulumi -- config set policyEngine vpc-cni && npm run pulumi -- up`",
        );
    });

    it("says to remove the VPC CNI's policies before turning its agent off", () => {
        assert.strictEqual(
            engineSwitchProblem(vpcCni(3), none),
            "policyEngine: turning off the VPC CNI's network policy agent while 3 NetworkPolicies are in force would leave their rules on " +
                "the nodes: AWS says to delete every NetworkPolicy before disabling the agent, and Pulumi would delete them only after. " +
                "First remove them with the agent still on: `npm run pulumi -- config set stage open && npm run pulumi -- config set " +
                "isolateNamespaces false && npm run pulumi -- up`, then `npm run pulumi -- config set policyEngine none && npm run pulumi -- up`",
        );
    });
});
