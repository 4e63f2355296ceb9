namespace HighLoad.Bench;

// Steps the offered rate up (x1.5) until p99 passes 100 ms or errors pass 0.1%; the last rate that held is the
// knee. One rule for every scenario, the baseline included, so knees compare as ratios.
public static class CapacitySearch
{
    public const double KneeP99Ms = 100;

    public static async Task<(double Knee, LoadResult AtKnee, List<LoadResult> Steps)> FindKneeAsync(
        OpenLoopGenerator generator, Scenario scenario, double startRate, double maxRate, TimeSpan stepDuration)
    {
        var steps = new List<LoadResult>();
        LoadResult? held = null;
        for (var rate = startRate; rate <= maxRate; rate *= 1.5)
        {
            var result = await generator.RunAsync(scenario.Request, rate, stepDuration);
            steps.Add(result);
            Console.WriteLine($"  {scenario.Name}: {rate,8:0}/s offered, {result.AchievedRate,8:0}/s ok, " +
                              $"p99 {result.Percentile(99),8:0.0} ms, errors {result.ErrorRate:P2}");
            if (result.Percentile(99) > KneeP99Ms || result.ErrorRate > 0.001)
            {
                break;
            }

            held = result;
        }

        return held is null ? (0, steps[0], steps) : (held.OfferedRate, held, steps);
    }
}
