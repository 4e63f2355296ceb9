namespace HighLoad.ThirdParty;

// The provider's published limits (seed 001: 1,000 a minute, 50,000 an hour, 500,000 a day).
public sealed record ProviderLimits(int PerMinute = 1_000, int PerHour = 50_000, int PerDay = 500_000)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<(string Name, TimeSpan Length, int Limit)> Windows =>
    [
        ("minute", TimeSpan.FromMinutes(1), PerMinute),
        ("hour", TimeSpan.FromHours(1), PerHour),
        ("day", TimeSpan.FromDays(1), PerDay),
    ];
}
