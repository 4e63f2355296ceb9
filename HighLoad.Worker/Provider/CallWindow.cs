using System.Globalization;

namespace HighLoad.Worker.Provider;

// One window of the provider's limits as Redis counts its calls: buckets of 1/60 of the window (a second for the
// minute, a minute for the hour, 24 minutes for the day), aligned to the Unix epoch and named by the second they
// open, so every replica counts a call in the same bucket. Every window gets the same relative accuracy from the
// same cost: 61 keys to read, one to write.
//
// The window at `now` is the sum of the bucket now fills and the 60 before it. The oldest of those opened at most
// one bucket's length before now - window, so the sum never misses a call of the last window and overcounts only by
// the calls made in that sliver, which is shorter than one bucket (1/60 of the window): an upper bound on the
// provider's own sliding count, off by nothing while the sliver was quiet.
// Times come from each worker's clock: skew between hosts (milliseconds under NTP) moves a call by as much, no more.
public sealed class CallWindow
{
    public const int Buckets = 60;

    private readonly long _bucketSeconds;

    public CallWindow(string name, TimeSpan length)
    {
        if (length.Ticks % (TimeSpan.TicksPerSecond * Buckets) != 0 || length <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The {name} window ({length}) does not split into {Buckets} buckets of whole seconds.", nameof(length));
        }

        Name = name;
        Length = length;
        _bucketSeconds = (long)length.TotalSeconds / Buckets;
    }

    public string Name { get; }

    public TimeSpan Length { get; }

    public TimeSpan BucketLength => TimeSpan.FromSeconds(_bucketSeconds);

    // A bucket is read until one window and one bucket after it opens; twice the window outlives that by far more
    // than any clock skew between the hosts.
    public TimeSpan KeyLifetime => Length * 2;

    // The bucket a call made at this time is counted in.
    public string Key(DateTimeOffset at) => KeyOf(Opening(at));

    // The buckets whose sum is the window's count at this time, oldest first.
    public IReadOnlyList<string> KeysAt(DateTimeOffset now)
    {
        var newest = Opening(now);
        return [.. Enumerable.Range(0, Buckets + 1).Select(i => KeyOf(newest - (Buckets - i) * _bucketSeconds))];
    }

    private long Opening(DateTimeOffset at)
    {
        var seconds = at.ToUnixTimeSeconds();
        return seconds - seconds % _bucketSeconds;
    }

    private string KeyOf(long opening) => string.Create(CultureInfo.InvariantCulture, $"provider:calls:{Name}:{opening}");
}
