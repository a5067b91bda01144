namespace Consumer.Grains;

/// <summary>The grain the client calls: it passes the call on to <see cref="IGrainB"/>, a grain-to-grain hop.</summary>
public interface IGrainA : IGrainWithStringKey
{
    Task<string> RelayAsync(string text);
}

/// <summary>The grain at the end of the chain.</summary>
public interface IGrainB : IGrainWithStringKey
{
    Task<string> EchoAsync(string text);
}

/// <summary>Calls <see cref="IGrainB"/> with the same key.</summary>
public sealed class GrainA : Grain, IGrainA
{
    public Task<string> RelayAsync(string text) =>
        GrainFactory.GetGrain<IGrainB>(this.GetPrimaryKeyString()).EchoAsync(text);
}

/// <summary>Answers with what it was sent.</summary>
public sealed class GrainB : Grain, IGrainB
{
    public Task<string> EchoAsync(string text) => Task.FromResult($"echo: {text}");
}
