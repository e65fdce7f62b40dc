// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call:
// one typed wrapper per C argument type, prefixed by the module name.
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*ccurl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
static inline CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_getinfo_curl_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_private(CURL *handle, void **value) {
    return curl_easy_getinfo(handle, CURLINFO_PRIVATE, value);
}
static inline CURLcode ccurl_easy_setopt_private(CURL *handle, void *value) {
    return curl_easy_setopt(handle, CURLOPT_PRIVATE, value);
}
static inline CURL *ccurl_msg_handle(const CURLMsg *message) {
    return message->easy_handle;
}
static inline int ccurl_msg_is_done(const CURLMsg *message) {
    return message->msg == CURLMSG_DONE;
}


/// The SSRF guard, checked by libcurl on the exact address it is about to connect to (after DNS, so a
/// name that re-resolves to an internal address between checks cannot slip through). `allow_private`
/// set: anything goes (endpoints marked local). Otherwise loopback, private, link-local, carrier-grade
/// NAT, multicast, unspecified and the cloud metadata addresses are refused; `refused` then holds the
/// address so the error can name it.
typedef struct ccurl_guard {
    int allow_private;
    int refused;
    char refused_address[64];
} ccurl_guard;

static inline int ccurl_ipv4_is_internal(const unsigned char *a) {
    if (a[0] == 0 || a[0] == 10 || a[0] == 127) return 1;
    if (a[0] == 169 && a[1] == 254) return 1;               /* link-local, incl. 169.254.169.254 metadata */
    if (a[0] == 172 && (a[1] & 0xf0) == 16) return 1;
    if (a[0] == 192 && a[1] == 168) return 1;
    if (a[0] == 100 && (a[1] & 0xc0) == 64) return 1;        /* carrier-grade NAT 100.64/10 */
    if (a[0] == 192 && a[1] == 0 && a[2] == 0) return 1;     /* IETF protocol assignments, 192.0.0.192 metadata */
    if (a[0] == 198 && (a[1] & 0xfe) == 18) return 1;        /* benchmarking 198.18/15 */
    if (a[0] >= 224) return 1;                               /* multicast, reserved, broadcast */
    return 0;
}

/// IPv6 by its bytes, never by how it was written: every form that carries an IPv4 address (mapped
/// ::ffff:0:0/96, compatible ::/96, translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) is
/// judged by that IPv4 address; forms without a public use (local-use NAT64 64:ff9b:1::/48, Teredo
/// 2001::/32, discard 100::/64, documentation 2001:db8::/32, site-local fec0::/10) are internal.
static inline int ccurl_ipv6_is_internal(const unsigned char *a) {
    static const unsigned char zero[12] = {0};
    if (memcmp(a, zero, 12) == 0) {                                      /* ::/96: ::, ::1, ::a.b.c.d */
        if (a[12] == 0 && a[13] == 0 && a[14] == 0) return 1;            /* :: and ::1 (and ::0.0.0.x) */
        return ccurl_ipv4_is_internal(a + 12);
    }
    if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff)      /* ::ffff:a.b.c.d */
        return ccurl_ipv4_is_internal(a + 12);
    if (memcmp(a, zero, 8) == 0 && a[8] == 0xff && a[9] == 0xff && a[10] == 0 && a[11] == 0) /* ::ffff:0:a.b.c.d */
        return ccurl_ipv4_is_internal(a + 12);
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) {
        if (a[4] == 0 && a[5] == 0 && memcmp(a + 6, zero, 6) == 0)       /* 64:ff9b::/96 NAT64 */
            return ccurl_ipv4_is_internal(a + 12);
        return 1;                                                        /* 64:ff9b:1::/48 local-use NAT64 */
    }
    if (a[0] == 0x20 && a[1] == 0x02) return ccurl_ipv4_is_internal(a + 2); /* 6to4 2002:a.b.c.d::/48 */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00) return 1; /* Teredo 2001::/32 */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return 1; /* documentation 2001:db8::/32 */
    if (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0) return 1;           /* discard-only 100::/64 */
    if ((a[0] & 0xfe) == 0xfc) return 1;                                 /* unique local fc00::/7, incl. fd00:ec2::254 */
    if (a[0] == 0xfe && (a[1] & 0x80) == 0x80) return 1;                 /* link-local fe80::/10, site-local fec0::/10 */
    if (a[0] == 0xff) return 1;                                          /* multicast */
    return 0;
}

static inline int ccurl_address_is_internal(const struct sockaddr *address) {
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
        return ccurl_ipv4_is_internal((const unsigned char *)&v4->sin_addr.s_addr);
    }
    if (address->sa_family == AF_INET6) {
        return ccurl_ipv6_is_internal(((const struct sockaddr_in6 *)address)->sin6_addr.s6_addr);
    }
    return 1;
}

static inline curl_socket_t ccurl_guarded_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address) {
    ccurl_guard *guard = (ccurl_guard *)clientp;
    (void)purpose;
    if (!guard->allow_private && ccurl_address_is_internal(&address->addr)) {
        guard->refused = 1;
        if (address->family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&address->addr)->sin_addr, guard->refused_address, sizeof guard->refused_address);
        } else if (address->family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&address->addr)->sin6_addr, guard->refused_address, sizeof guard->refused_address);
        }
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

/// Installs the guard on an easy handle; `guard` must live as long as the handle.
static inline CURLcode ccurl_install_guard(CURL *handle, ccurl_guard *guard) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, ccurl_guarded_opensocket);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETDATA, guard);
}

/// Tests the guard's classification on a literal address (for tests).
static inline int ccurl_is_internal_address(const char *text) {
    struct sockaddr_in6 v6;
    struct sockaddr_in v4;
    memset(&v6, 0, sizeof v6);
    memset(&v4, 0, sizeof v4);
    if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) { v4.sin_family = AF_INET; return ccurl_address_is_internal((struct sockaddr *)&v4); }
    if (inet_pton(AF_INET6, text, &v6.sin6_addr) == 1) { v6.sin6_family = AF_INET6; return ccurl_address_is_internal((struct sockaddr *)&v6); }
    return -1;
}

static inline const char *ccurl_guard_refused_address(const ccurl_guard *guard) {
    return guard->refused_address;
}

/// The easy handle a finished-transfer message refers to, and its result code
/// (CURLMsg.data is a union, which Swift imports awkwardly).
static inline CURLcode ccurl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
