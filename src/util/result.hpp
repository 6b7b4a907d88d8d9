// A minimal Result<T> (C++20 has no std::expected): a value or an sbx::Error.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "util/error.hpp"

namespace sbx {

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}        // NOLINT: implicit by design
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}    // NOLINT: implicit by design

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(v_); }
    const T& value() const& { assert(ok()); return std::get<0>(v_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    Error& error() & { assert(!ok()); return std::get<1>(v_); }
    const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
    Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : err_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

    [[nodiscard]] bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }

    Error& error() & { assert(failed_); return err_; }
    const Error& error() const& { assert(failed_); return err_; }
    Error&& error() && { assert(failed_); return std::move(err_); }

private:
    Error err_;
    bool failed_ = false;
};

using Status = Result<void>;

}  // namespace sbx

// Propagate an error from an expression returning Result<...>; the value is discarded.
#define SBX_TRY(expr)                                   \
    do {                                                \
        auto sbx_try_r_ = (expr);                       \
        if (!sbx_try_r_.ok()) return std::move(sbx_try_r_).error(); \
    } while (0)
