# The origin: HAProxy (deploy/haproxy.cfg) in front of the web servers. Its /lb-health answers 503
# only when no web server accepts connections: Varnish then serves stored pages from grace at once.
backend default {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .probe = {
        .url = "/lb-health";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}
