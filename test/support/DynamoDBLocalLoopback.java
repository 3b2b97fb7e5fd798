import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Starts DynamoDB Local listening on 127.0.0.1 only.
 *
 * DynamoDB Local's own entry point binds its HTTP connector to every interface and has no
 * option to change that. This launcher builds the server through the same public factory the
 * entry point uses, sets the host of its Jetty connectors to the loopback address, and starts
 * it. It skips the telemetry set-up of the original entry point. Run it in Java's source-file
 * mode with DynamoDBLocal.jar and DynamoDBLocal_lib/* on the class path; the arguments are
 * DynamoDB Local's own (-inMemory, -port, -sharedDb, ...).
 *
 * With the system property dynamodb.local.exitOnStdinEof=true the server exits when its
 * standard input reaches end-of-file, i.e. when the process that started it (and holds the
 * other end of the pipe) dies, however it died.
 */
public class DynamoDBLocalLoopback {
  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field serverField = proxy.getClass().getDeclaredField("server");
    serverField.setAccessible(true);
    Object jetty = serverField.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no HTTP connector");
    for (Object connector : connectors) {
      Method setHost = connector.getClass().getMethod("setHost", String.class);
      setHost.invoke(connector, "127.0.0.1");
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    System.out.println("DynamoDB Local listening on 127.0.0.1");
    if (Boolean.getBoolean("dynamodb.local.exitOnStdinEof")) {
      Thread watcher = new Thread(() -> {
        try {
          while (System.in.read() != -1) {
            // Input is ignored; only its end matters.
          }
        } catch (java.io.IOException ignored) {
          // A broken pipe means the parent is gone, too.
        }
        System.exit(0);
      }, "exit-on-stdin-eof");
      watcher.setDaemon(true);
      watcher.start();
    }
  }
}
