/**
 * The deploy role is scoped to what the lab marks: its IAM path and its stack tag (components/labScope.ts). These
 * tests hold the two projects to that contract from the lab's side: run the lab program as `pulumi up` would register
 * it, and check that every role, every EC2 resource and the KMS key is one the deploy role's policy can manage.
 */
import * as assert from "assert";
import { LAB_EC2_CREATES, LAB_MANAGED_POLICIES, LAB_ROLE_PATH, STACK_TAG } from "../../deployments/deployPermissions";
import { ProgramRun, runProgram, stackConfig } from "../mocks";

/** The EC2 resource types of @pulumi/aws the lab creates, and the API action that creates (and tags) each. */
const CREATED_BY: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "ec2:CreateVpc",
    "aws:ec2/subnet:Subnet": "ec2:CreateSubnet",
    "aws:ec2/routeTable:RouteTable": "ec2:CreateRouteTable",
    "aws:ec2/internetGateway:InternetGateway": "ec2:CreateInternetGateway",
    "aws:ec2/eip:Eip": "ec2:AllocateAddress",
    "aws:ec2/natGateway:NatGateway": "ec2:CreateNatGateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "ec2:CreateLaunchTemplate",
};
/** EC2 resources the lab registers that are not created (and so not tagged): AWS's default group, and associations. */
const NOT_CREATED = ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/routeTableAssociation:RouteTableAssociation"];

describe("the lab keeps to the deploy role's scope", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig({ clusterAdminArns: '["arn:aws:iam::123456789012:role/ci"]' }));
        assert.strictEqual(run.error, undefined);
    });

    it("creates only EC2 resources the role may create, each tagged with its stack", () => {
        const ec2 = run.resources.filter((r) => r.type.startsWith("aws:ec2/") && !NOT_CREATED.includes(r.type));
        const allowed = LAB_EC2_CREATES.map((c) => c.action as string);
        for (const r of ec2) {
            assert.ok(allowed.includes(CREATED_BY[r.type]), `${r.type} ${r.name}: created by ${CREATED_BY[r.type] ?? "an action the table does not know"}, which the deploy role does not allow`);
            assert.strictEqual(r.inputs.tags?.[STACK_TAG], "dev", `${r.type} ${r.name} carries ${STACK_TAG}`);
        }
        assert.deepStrictEqual([...new Set(ec2.map((r) => CREATED_BY[r.type]))].sort(), [...allowed].sort(), "every create the role allows is one the lab makes");
    });

    it("tags its Secrets key with its stack", () => {
        for (const key of run.resources.filter((r) => r.type === "aws:kms/key:Key")) assert.strictEqual(key.inputs.tags?.[STACK_TAG], "dev", key.name);
    });

    it("puts every role under the lab's path, with only the managed policies the role may attach", () => {
        const roles = run.resources.filter((r) => r.type === "aws:iam/role:Role");
        assert.ok(roles.length > 0);
        for (const role of roles) assert.strictEqual(role.inputs.path, LAB_ROLE_PATH, role.name);
        const attached = run.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn.split("/").pop());
        assert.deepStrictEqual([...new Set(attached)].sort(), [...LAB_MANAGED_POLICIES].sort());
        assert.deepStrictEqual(run.resources.filter((r) => r.type.startsWith("aws:iam/") && !["aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"].includes(r.type)).map((r) => r.type), []);
    });
});
