using System.Net;
using System.Net.Sockets;

namespace Observability.AppHost;

/// <summary>Whether a loopback port can be listened on now; the launcher's port check and the tests share it.</summary>
internal static class LoopbackPort
{
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
