package com.acme.hello;

import com.google.common.base.Strings;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        String portEnv = System.getenv("PORT");
        // guava call: the shaded jar must contain guava for this to run
        int port = Integer.parseInt(Strings.isNullOrEmpty(portEnv) ? "8080" : portEnv.trim());
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/hello", exchange -> respond(exchange, "hello docker"));
        server.createContext("/docker", exchange -> respond(exchange, "docker"));
        server.start();
        System.out.println("hello-service listening on port " + port);
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
