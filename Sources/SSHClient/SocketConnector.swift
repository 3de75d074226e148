import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens a TCP connection with a deadline (non-blocking connect + poll).
enum SocketConnector {
    static func connect(host: String, port: Int, timeout: Double) throws -> Int32 {
        let endpoint = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SSHError(.resolve, operation: "resolve", code: status,
                           message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))",
                           host: endpoint)
        }
        defer { freeaddrinfo(list) }
        let deadline = Date().addingTimeInterval(timeout)
        var lastError = SSHError(.connect, operation: "connect", message: "no address to connect to",
                                 host: endpoint)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            var err: Int32 = result == 0 ? 0 : errno
            if result != 0 && err == EINPROGRESS {
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
                result = poll(&descriptor, 1, milliseconds)
                if result == 0 {
                    close(fd)
                    throw SSHError(.timeout, operation: "connect", code: ETIMEDOUT,
                                   message: "no TCP connection within \(timeout) s", host: endpoint)
                }
                var length = socklen_t(MemoryLayout<Int32>.size)
                err = 0
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length)
            }
            if err == 0 {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            close(fd)
            let kind: SSHError.Kind = err == ECONNREFUSED ? .connectionRefused : .connect
            lastError = SSHError(kind, operation: "connect", code: err,
                                 message: String(cString: strerror(err)), host: endpoint)
        }
        throw lastError
    }
}
