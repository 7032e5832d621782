#include "service/http/router.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <nlohmann/json.hpp>

namespace vouch::service::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) {
      out.emplace_back(path.substr(start, end - start));
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  add_async(std::move(method), std::move(pattern),
            [h = std::move(handler)](const HttpRequest& req, const PathParams& p, Respond respond) {
              respond(h(req, p));
            });
}

void Router::add_async(std::string method, std::string pattern, AsyncHandler handler) {
  Route r{std::move(method), pattern, split_path(pattern), std::move(handler)};
  routes_.push_back(std::move(r));
}

HttpResponse Router::dispatch(const HttpRequest& request) const {
  std::promise<HttpResponse> answer;
  auto future = answer.get_future();
  dispatch(request, [&answer](HttpResponse r) { answer.set_value(std::move(r)); });
  return future.get();
}

bool Router::match(const Route& route, std::string_view path, PathParams& out) {
  const std::vector<std::string> parts = split_path(path);
  if (parts.size() != route.segments.size()) {
    return false;
  }
  PathParams params;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (!seg.empty() && seg.front() == '{') {
      const std::size_t close = seg.find('}');
      const std::string name = seg.substr(1, close - 1);
      const std::string suffix = seg.substr(close + 1);
      std::string value = parts[i];
      if (!suffix.empty()) {
        if (!ends_with_ci(value, suffix)) {
          return false;
        }
        value.resize(value.size() - suffix.size());
      }
      if (value.empty()) {
        return false;
      }
      params[name] = std::move(value);
    } else if (!iequals(seg, parts[i])) {
      return false;
    }
  }
  out = std::move(params);
  return true;
}

void Router::dispatch(const HttpRequest& request, Respond respond) const {
  bool path_known = false;
  // Literal-suffix routes (".../{type}:reset") are more specific than plain "{type}" routes, so
  // try routes in registration order but prefer an exact method match over a path-only one.
  for (const Route& r : routes_) {
    PathParams params;
    if (!match(r, request.path, params)) {
      continue;
    }
    if (r.method != request.method) {
      path_known = true;
      continue;
    }
    r.handler(request, params, std::move(respond));
    return;
  }
  if (path_known) {
    respond(HttpResponse::json(405,
                               {{"type", "about:blank"},
                                {"title", "Method Not Allowed"},
                                {"status", 405},
                                {"detail", request.method + " is not allowed on this path"}},
                               "application/problem+json"));
    return;
  }
  respond(HttpResponse::json(404,
                             {{"type", "about:blank"},
                              {"title", "Not Found"},
                              {"status", 404},
                              {"detail", "no such endpoint"}},
                             "application/problem+json"));
}

std::string Router::route_of(const HttpRequest& request) const {
  for (const Route& r : routes_) {
    PathParams params;
    if (r.method == request.method && match(r, request.path, params)) {
      return r.pattern;
    }
  }
  return {};
}

}  // namespace vouch::service::http
