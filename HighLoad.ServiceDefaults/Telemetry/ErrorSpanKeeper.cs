using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

// OpenTelemetry's export processors (Batch/SimpleActivityExportProcessor.OnEnd) skip every span whose Recorded flag
// is off. This runs before them and sets the flag on an unsampled span that ended in error, so it is exported all the
// same: errors are what an operator looks for, which is why unsampled spans are recorded at all.
public sealed class ErrorSpanKeeper : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        if (!data.Recorded && data.Status == ActivityStatusCode.Error)
        {
            data.ActivityTraceFlags |= ActivityTraceFlags.Recorded;
        }
    }
}
