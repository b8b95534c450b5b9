// Reviewed differences between the simulator and Google's recorded answers. Each entry says why no client
// can tell the difference; anything not listed here fails the replay suite.

import type { AllowedDifference } from "../../support/replay-compare.ts";

export const ALLOWED_DIFFERENCES: AllowedDifference[] = [
  {
    exchange: /^runservicebasic#/,
    path: /^((metadata|response)\.)?urls$/,
    kind: "extra",
    reason:
      "Service.urls (google/cloud/run/v2/service.proto field 24, output only) joined the v2 API after this " +
      "2024-04 recording; it repeats `uri` plus the deterministic URL, and clients that predate it ignore it.",
  },
  {
    exchange: /^runservicebasic#1$/,
    path: /^metadata\.ingress$/,
    kind: "extra",
    reason:
      "Google's create-operation metadata leaves out the ingress the request set, while every later answer " +
      "has it (interactions 2-5); the simulator's snapshot carries the value the caller sent, which is the " +
      "value Google then reports.",
  },
];
