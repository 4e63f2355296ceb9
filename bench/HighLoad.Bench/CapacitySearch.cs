namespace HighLoad.Bench;

// Steps the offered rate up (x1.5) until p99 passes 100 ms or errors pass 0.1%; the last rate that held is the
// knee (when the starting rate already fails, it steps down instead). One rule for every scenario, the baseline
// included, so knees compare as ratios.
//
// On two shared cores a single stall of ~1% of a step (a GC, a checkpoint, another process) is enough to push
// p99 over the line, so a failing step is run once more before it counts, and after the search stops one more
// step at the geometric middle of the last rate that held and the one that failed narrows the knee to ~x1.22.
public static class CapacitySearch
{
    public const double KneeP99Ms = 100;
    public const double Step = 1.5;

    public static async Task<(double Knee, LoadResult AtKnee, List<LoadResult> Steps)> FindKneeAsync(
        OpenLoopGenerator generator, Scenario scenario, double startRate, double maxRate, TimeSpan stepDuration, bool thorough = true)
    {
        var steps = new List<LoadResult>();
        LoadResult? held = null;
        double? failedRate = null;
        for (var rate = startRate; rate <= maxRate; rate *= Step)
        {
            var result = await RunStepAsync(rate, confirm: thorough);
            if (result is null)
            {
                failedRate = rate;
                break;
            }

            held = result;
        }

        // The starting rate is already too much (a write bound by the disk's fsync): step down instead of
        // reporting 0, at most four times.
        for (var down = 1; held is null && down <= 4; down++)
        {
            failedRate = startRate / Math.Pow(Step, down - 1);
            held = await RunStepAsync(startRate / Math.Pow(Step, down), confirm: thorough);
        }

        if (thorough && held is not null && failedRate is { } failed)
        {
            var middle = Math.Sqrt(held.OfferedRate * failed);
            held = await RunStepAsync(middle, confirm: false) ?? held;
        }

        return held is null ? (0, steps[0], steps) : (held.OfferedRate, held, steps);

        // The step's result when it held (at the first try or, with confirm, at the second), otherwise null.
        async Task<LoadResult?> RunStepAsync(double rate, bool confirm)
        {
            for (var attempt = 1; attempt <= (confirm ? 2 : 1); attempt++)
            {
                var result = await generator.RunAsync(scenario.Request, rate, stepDuration);
                steps.Add(result);
                var holds = result.Percentile(99) <= KneeP99Ms && result.ErrorRate <= 0.001;
                Console.WriteLine($"  {scenario.Name}: {rate,8:0}/s offered, {result.AchievedRate,8:0}/s ok, " +
                                  $"p99 {result.Percentile(99),8:0.0} ms, errors {result.ErrorRate:P2}" +
                                  (holds ? "" : attempt == 1 && confirm ? "  (over the line; once more)" : "  (over the line)"));
                if (holds)
                {
                    return result;
                }
            }

            return null;
        }
    }
}
