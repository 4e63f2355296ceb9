using HighLoad.Jobs;
using HighLoad.Worker.Provider;

namespace HighLoad.Tests.Worker;

public sealed class CallWindowTests
{
    private static readonly IReadOnlyDictionary<string, CallWindow> Windows =
        new ProviderBudgetOptions().Windows.ToDictionary(w => w.Name, w => new CallWindow(w.Name, w.Length));

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 34, 56, 500, TimeSpan.Zero);

    public static TheoryData<string> WindowNames => ["minute", "hour", "day"];

    [Theory]
    [InlineData("minute", "2026-11-23T12:33:56Z", "2026-11-23T12:34:56Z")]
    [InlineData("hour", "2026-11-23T11:34:00Z", "2026-11-23T12:34:00Z")]
    // 24-minute buckets fall on midnight UTC: 12:24 is the 31st of the day.
    [InlineData("day", "2026-11-22T12:24:00Z", "2026-11-23T12:24:00Z")]
    public void AWindowIsTheBucketUnderwayAndTheSixtyBeforeIt(string window, string oldest, string newest)
    {
        var keys = Windows[window].KeysAt(Now);

        Assert.Equal(61, keys.Count);
        Assert.Equal($"provider:calls:{window}:{DateTimeOffset.Parse(oldest).ToUnixTimeSeconds()}", keys[0]);
        Assert.Equal($"provider:calls:{window}:{DateTimeOffset.Parse(newest).ToUnixTimeSeconds()}", keys[^1]);
        Assert.Equal(61, keys.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(WindowNames))]
    public void ACallIsCountedForItsWholeWindowAndNeverMissed(string window)
    {
        var calls = Windows[window];
        foreach (var age in new[] { TimeSpan.Zero, calls.BucketLength, calls.Length / 2, calls.Length - TimeSpan.FromTicks(1) })
        {
            Assert.Contains(calls.Key(Now - age), calls.KeysAt(Now));
        }
    }

    // The documented overcount: a call just older than the window still counts while its bucket is the oldest read,
    // and never once the window has moved a whole bucket past it.
    [Fact]
    public void ACallJustOlderThanTheWindowCountsOnlyUntilItsBucketLeaves()
    {
        var minute = Windows["minute"];
        var call = new DateTimeOffset(2026, 11, 23, 12, 33, 56, 200, TimeSpan.Zero);

        Assert.Contains(minute.Key(call), minute.KeysAt(call.AddMilliseconds(60_300)));
        Assert.DoesNotContain(minute.Key(call), minute.KeysAt(call.AddMilliseconds(60_800)));
    }

    [Theory]
    [MemberData(nameof(WindowNames))]
    public void NoCallIsCountedOnceItIsAWindowAndABucketOld(string window)
    {
        var calls = Windows[window];
        foreach (var offset in new[] { TimeSpan.Zero, calls.BucketLength / 3, calls.BucketLength - TimeSpan.FromTicks(1) })
        {
            var call = Now + offset;
            Assert.DoesNotContain(calls.Key(call), calls.KeysAt(call + calls.Length + calls.BucketLength));
        }
    }

    // The key expires no sooner than its lifetime after its first write, which is no sooner than the bucket opens.
    [Theory]
    [MemberData(nameof(WindowNames))]
    public void ABucketOutlivesEveryReadThatSumsIt(string window)
    {
        var calls = Windows[window];
        var opens = DateTimeOffset.FromUnixTimeSeconds(long.Parse(calls.Key(Now).Split(':')[^1]));

        Assert.Contains(calls.Key(opens), calls.KeysAt(opens + calls.Length + calls.BucketLength - TimeSpan.FromTicks(1)));
        Assert.DoesNotContain(calls.Key(opens), calls.KeysAt(opens + calls.KeyLifetime));
    }

    [Fact]
    public void AWindowThatDoesNotSplitIntoSixtyWholeSecondBucketsIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new CallWindow("odd", TimeSpan.FromSeconds(90)));
    }
}
