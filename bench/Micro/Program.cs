using BenchmarkDotNet.Running;

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
// BenchmarkDotNet exits 0 even when a benchmark threw or did not build; bench/micro.sh (and its --smoke
// mode above all) needs to know, so any failed benchmark makes the exit code 1.
var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).ToList();
foreach (var summary in failed)
{
    Console.Error.WriteLine($"FAILED: {summary.Title}");
}
return failed.Count == 0 ? 0 : 1;
