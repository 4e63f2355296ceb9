using HighLoad.ThirdParty;
using Microsoft.Extensions.Time.Testing;

namespace HighLoad.Tests.ThirdParty;

public sealed class SlidingWindowLimiterTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    [Fact]
    public void TheCallPastTheMinuteLimitIsRejectedUntilTheOldestCallLeavesTheWindow()
    {
        var limiter = new SlidingWindowLimiter(new ProviderLimits(PerMinute: 3, PerHour: 100, PerDay: 1000), _time);

        Assert.True(limiter.TryAcquire().Accepted);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(limiter.TryAcquire().Accepted);
        Assert.True(limiter.TryAcquire().Accepted);

        var (accepted, retryAfter) = limiter.TryAcquire();
        Assert.False(accepted);
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.True(limiter.TryAcquire().Accepted);

        var stats = limiter.Stats();
        Assert.Equal(5, stats.Calls);
        Assert.Equal(1, stats.Rejected);
        Assert.Equal(3, stats.BusiestMinute);
    }

    [Fact]
    public void TheHourLimitHoldsEvenWhenEveryMinuteIsWithinItsOwn()
    {
        var limiter = new SlidingWindowLimiter(new ProviderLimits(PerMinute: 2, PerHour: 5, PerDay: 1000), _time);

        for (var minute = 0; minute < 2; minute++)
        {
            Assert.True(limiter.TryAcquire().Accepted);
            Assert.True(limiter.TryAcquire().Accepted);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.True(limiter.TryAcquire().Accepted);
        var (accepted, retryAfter) = limiter.TryAcquire();

        Assert.False(accepted);
        Assert.Equal(TimeSpan.FromMinutes(58), retryAfter);
        Assert.Equal(2, limiter.Stats().BusiestMinute);
    }
}
