// VpcConnectorConfig's cross-field rules, each with its CEL form (see rules.ts).

import { MACHINE_TYPES } from "./common.ts";
import type { VpcConnectorConfigSpec } from "./connector.ts";
import { type SpecRule, celString, runRules } from "./rules.ts";

type Rule = SpecRule<VpcConnectorConfigSpec>;

const MACHINE_TYPE_LIST = `[${MACHINE_TYPES.map((type) => `'${type}'`).join(", ")}]`;

const minBelowMax: Rule = {
  name: "connector minInstances < maxInstances",
  at: [],
  check: ({ minInstances, maxInstances }) =>
    minInstances !== undefined && maxInstances !== undefined && minInstances >= maxInstances
      ? [
          {
            path: ["minInstances"],
            message: `minInstances ${minInstances} must be less than maxInstances ${maxInstances}`,
          },
        ]
      : [],
  cel: {
    rule: "!has(self.minInstances) || !has(self.maxInstances) || self.minInstances < self.maxInstances",
    message: "spec.minInstances must be less than spec.maxInstances",
    messageExpression:
      `'spec.minInstances: minInstances ' + ${celString("self.minInstances")} + ` +
      `' must be less than maxInstances ' + ${celString("self.maxInstances")}`,
  },
};

function ordered(
  lower: "scaleDownThreshold" | "targetUtilization",
  upper: "targetUtilization" | "scaleUpThreshold",
): Rule {
  return {
    name: `connector ${lower} < ${upper}`,
    at: ["autoscaling"],
    check: ({ autoscaling }) =>
      autoscaling[lower] >= autoscaling[upper]
        ? [
            {
              path: ["autoscaling", lower],
              message: `${lower} ${autoscaling[lower]} must be less than ${upper} ${autoscaling[upper]}`,
            },
          ]
        : [],
    cel: {
      rule: `self.${lower} < self.${upper}`,
      message: `spec.autoscaling.${lower} must be less than spec.autoscaling.${upper}`,
      messageExpression:
        `'spec.autoscaling.${lower}: ${lower} ' + ${celString(`self.${lower}`)} + ` +
        `' must be less than ${upper} ' + ${celString(`self.${upper}`)}`,
    },
  };
}

const ceilingCoversMax: Rule = {
  name: "connector autoscaling.ceiling >= maxInstances",
  at: [],
  check: ({ maxInstances, autoscaling }) =>
    maxInstances !== undefined && autoscaling.ceiling < maxInstances
      ? [
          {
            path: ["autoscaling", "ceiling"],
            message: `ceiling ${autoscaling.ceiling} is below spec.maxInstances ${maxInstances}`,
          },
        ]
      : [],
  cel: {
    rule: "!has(self.maxInstances) || self.autoscaling.ceiling >= self.maxInstances",
    message: "spec.autoscaling.ceiling must be at least spec.maxInstances",
    messageExpression:
      `'spec.autoscaling.ceiling: ceiling ' + ${celString("self.autoscaling.ceiling")} + ` +
      `' is below spec.maxInstances ' + ${celString("self.maxInstances")}`,
  },
};

const ladderIncreasing: Rule = {
  name: "connector machineTypeLadder in increasing size",
  at: ["autoscaling"],
  check: ({ autoscaling: { machineTypeLadder: ladder } }) =>
    ladder.flatMap((type, index) => {
      const previous = index > 0 ? ladder[index - 1] : undefined;
      if (previous === undefined || MACHINE_TYPES.indexOf(type) > MACHINE_TYPES.indexOf(previous)) return [];
      return [
        {
          path: ["autoscaling", "machineTypeLadder", index],
          message: `${type} cannot follow ${previous}: list machine types in increasing size (${MACHINE_TYPES.join(" < ")})`,
        },
      ];
    }),
  // Strictly increasing means: exactly the known types, in their order, that the ladder mentions.
  cel: {
    rule: `self.machineTypeLadder == ${MACHINE_TYPE_LIST}.filter(t, t in self.machineTypeLadder)`,
    message: `spec.autoscaling.machineTypeLadder must list machine types in increasing size (${MACHINE_TYPES.join(" < ")})`,
    messageExpression:
      `'spec.autoscaling.machineTypeLadder: [' + self.machineTypeLadder.join(', ') + '] is not in increasing size ' + ` +
      `'(${MACHINE_TYPES.join(" < ")}), each type at most once'`,
  },
};

const ladderIncludesMachineType: Rule = {
  name: "connector machineTypeLadder includes machineType",
  at: [],
  check: ({ machineType, autoscaling: { machineTypeLadder: ladder } }) =>
    machineType !== undefined && ladder.length > 0 && !ladder.includes(machineType)
      ? [
          {
            path: ["autoscaling", "machineTypeLadder"],
            message: `must include spec.machineType ${machineType}, the rung autoscaling starts from`,
          },
        ]
      : [],
  cel: {
    rule:
      "!has(self.machineType) || size(self.autoscaling.machineTypeLadder) == 0 || " +
      "self.machineType in self.autoscaling.machineTypeLadder",
    message: "spec.autoscaling.machineTypeLadder must include spec.machineType",
    messageExpression:
      "'spec.autoscaling.machineTypeLadder: must include spec.machineType ' + self.machineType + " +
      "', the rung autoscaling starts from'",
  },
};

export const VPC_CONNECTOR_RULES: readonly Rule[] = [
  minBelowMax,
  ordered("scaleDownThreshold", "targetUtilization"),
  ordered("targetUtilization", "scaleUpThreshold"),
  ceilingCoversMax,
  ladderIncreasing,
  ladderIncludesMachineType,
];

export function vpcConnectorSpecRules(spec: VpcConnectorConfigSpec) {
  return runRules(VPC_CONNECTOR_RULES, spec);
}
