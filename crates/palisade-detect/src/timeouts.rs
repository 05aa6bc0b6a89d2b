//! The rules of `palisade timeouts --app`: a function's configured timeout or memory far from
//! what its real durations and memory use call for.

use palisade_model::{Area, Confidence, RuleMeta, Sas, Severity};

pub static TIMEOUT_FAR_OFF: RuleMeta = RuleMeta {
    code: "PAL540",
    name: "timeout-far-from-observed",
    title: "Function timeout far from its observed durations",
    severity: Severity::Medium,
    confidence: Confidence::High,
    sas: Sas::S6,
    area: Area::Configuration,
    fix: "Set the timeout to the recommendation `palisade timeouts` prints: the tail of the real durations with headroom, within what the trigger allows.",
    docs: " ## What it does
 Compares each function's configured `Timeout` with the durations its Lambda logs show
 (`REPORT` and `Task timed out` lines, read by `palisade timeouts LOGS… --app PATH`) and
 reports it at the template's line when it is far off: invocations that timed out, a timeout
 below the 99th percentile, or a timeout at least four times (and ten seconds more than) the
 recommendation, which is the 99.9th percentile plus 50 % or the maximum plus 20 %, at least
 twice any timeout hit, and never above what an API Gateway trigger waits (29 s REST, 30 s
 HTTP).

 ## Why is this bad?
 A timeout far above what a function needs lets a stuck or abused invocation run, and bill,
 for up to 15 minutes: a denial-of-wallet lever and a longer window for an injected payload.
 A timeout below the real durations fails requests that would have succeeded, and retries
 multiply the work.

 ## Example
 ```yaml
 Orders:
   Type: AWS::Serverless::Function
   Properties:
     Timeout: 900   # p99.9 of real durations: 1.8 s
 ```

 Use instead:
 ```yaml
     Timeout: 3
 ```

 ## Fix
 Set the timeout to the recommendation, and raise it only with evidence.

 ## References
 - OWASP Serverless Top 10: S6:2017 Security Misconfiguration (denial of service, denial of wallet)
 - AWS Lambda: configuring function timeout
",
};

pub static MEMORY_FAR_OFF: RuleMeta = RuleMeta {
    code: "PAL541",
    name: "memory-far-from-observed",
    title: "Function memory far from its observed peak use",
    severity: Severity::Low,
    confidence: Confidence::Medium,
    sas: Sas::S6,
    area: Area::Configuration,
    fix: "Set the memory to the recommendation `palisade timeouts` prints (peak use plus 25 %, rounded up to 64 MB), or measure with a power-tuning run before keeping more.",
    docs: " ## What it does
 Compares each function's configured `MemorySize` with the peak `Max Memory Used` of its
 `REPORT` lines and reports it at the template's line when the peak reaches 90 % of the
 configured memory (out-of-memory errors ahead) or when the configuration is at least four
 times the recommendation (peak plus 25 %, rounded up to 64 MB) and 512 MB more.

 ## Why is this bad?
 Memory near the limit ends invocations with out-of-memory errors under a larger event; far
 too much memory is paid on every invocation. Note that Lambda gives CPU in proportion to
 memory, so a CPU-bound function may need more than its peak use: treat the low side as a
 prompt to measure.

 ## Example
 ```yaml
     MemorySize: 3008   # peak use 92 MB
 ```

 Use instead:
 ```yaml
     MemorySize: 128
 ```

 ## Fix
 Set the memory to the recommendation, or to what a power-tuning run shows.

 ## References
 - OWASP Serverless Top 10: S6:2017 Security Misconfiguration
 - AWS Lambda: memory and computing power
",
};

pub fn rules() -> Vec<&'static RuleMeta> {
    vec![&TIMEOUT_FAR_OFF, &MEMORY_FAR_OFF]
}
