// Reads the SARIF multitool's findings and validates the review payload (see scripts/validate).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [modules, work, ...sarifs] = process.argv.slice(2);
const require = createRequire(path.join(modules, "x.js"));
let failed = false;
const fail = (msg) => {
    console.error(`validate: FAIL: ${msg}`);
    failed = true;
};

// SARIF: the validator's own output log lists what it found.
for (const name of sarifs) {
    const report = JSON.parse(fs.readFileSync(path.join(work, `${name}.sarif`), "utf8"));
    const results = report.runs?.[0]?.results ?? [];
    if (name !== "fixtures" && results.length === 0) fail(`${name}.sarif has no results`);
    // Every login finding carries its remediation as a fix (other rules only when a safe edit exists).
    if (!results.every((r) => r.fixes || r.ruleId !== "SID001"))
        fail(`${name}.sarif: a SID001 result without fixes`);
    const log = JSON.parse(fs.readFileSync(path.join(work, `${name}.validation.sarif`), "utf8"));
    const run = log.runs[0];
    for (const n of run.invocations?.[0]?.toolExecutionNotifications ?? []) {
        if (n.level === "error") fail(`${name}.sarif: validator error: ${n.message?.text}`);
    }
    let shown = 0;
    for (const r of run.results ?? []) {
        const level = r.level ?? "warning";
        if (level === "note" || level === "none") continue;
        if (r.ruleId === "SARIF2005" && r.message?.id === "Warning_ProvideToolnformationUri") continue;
        fail(`${name}.sarif: ${level} ${r.ruleId} ${r.message?.id ?? ""} ${JSON.stringify(r.message?.arguments ?? [])}`);
        if (++shown > 20) break;
    }
    console.log(`validate: ${name}.sarif: ${results.length} results; SARIF multitool: no errors or warnings`);
}

// The review payload against GitHub's published request body schema.
const Ajv = require("ajv");
const spec = require("@octokit/openapi/generated/api.github.com.deref.json");
const op = spec.paths["/repos/{owner}/{repo}/pulls/{pull_number}/reviews"].post;
if (op.operationId !== "pulls/create-review") fail(`unexpected operation ${op.operationId}`);
const schema = op.requestBody.content["application/json"].schema;
const strict = (s) => {
    if (Array.isArray(s)) return s.map(strict);
    if (s && typeof s === "object") {
        const out = {};
        for (const [k, v] of Object.entries(s)) out[k] = strict(v);
        if (out.type === "object" && out.properties && out.additionalProperties === undefined)
            out.additionalProperties = false;
        return out;
    }
    return s;
};
const ajv = new Ajv({ strict: false, allErrors: true });
const review = JSON.parse(fs.readFileSync(path.join(work, "review.json"), "utf8"));
for (const [label, s] of [["published", schema], ["closed", strict(schema)]]) {
    const validate = ajv.compile(s);
    if (!validate(review)) fail(`review payload vs the ${label} schema: ${ajv.errorsText(validate.errors)}`);
}
if (!Array.isArray(review.comments) || review.comments.length === 0) fail("the review has no line comments");
if (!review.comments.some((c) => c.body.includes("```suggestion"))) fail("no suggestion block in the review");
for (const c of review.comments) {
    if (c.side !== "RIGHT" || !Number.isInteger(c.line)) fail(`comment not on the RIGHT side with a line: ${c.path}`);
}
console.log(`validate: review.json: ${review.comments.length} comments, event ${review.event}; matches pulls/create-review (published and closed schemas)`);
if (failed) process.exit(1);
console.log("validate: all outputs valid");
