package dev.everynode.apimachinery.endpoint;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Resolves a handler's {@link RequestOptions} parameter from the request, once, and documents the options of each
 * {@link ResourceOperation} verb in the API document as the query parameters and headers they are.
 */
@Configuration(proxyBeanMethods = false)
class RequestOptionsResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    private static final Set<String> HEADERS = Set.of("Accept", "Content-Type");
    private static final Set<String> INT64 = Set.of("gracePeriodSeconds");

    static {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(RequestOptions.class);
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == RequestOptions.class;
    }

    @Override
    public RequestOptions resolveArgument(MethodParameter parameter, ModelAndViewContainer mav,
                                          NativeWebRequest webRequest, WebDataBinderFactory binders) throws Exception {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        return new RequestOptions(request.getHeader("Accept"), request.getHeader("Content-Type"),
                request.getParameter("labelSelector"), request.getParameter("fieldSelector"),
                request.getParameter("dryRun"), request.getParameter("fieldValidation"),
                request.getParameter("includeObject"), request.getParameter("propagationPolicy"),
                documents(parameter, "gracePeriodSeconds") ? gracePeriodSeconds(request, webRequest, binders) : null);
    }

    /** Whether the handler's verb reads this option (others ignore it, a malformed one included). */
    private static boolean documents(MethodParameter parameter, String option) {
        ResourceOperation verb = parameter.getMethodAnnotation(ResourceOperation.class);
        return verb != null && verb.value().options.contains(option);
    }

    /**
     * The number as Spring MVC converts a {@code @RequestParam Long} (the parameter of {@link #gracePeriod}), so a
     * malformed one gets the same 400 as when the handlers declared it.
     */
    private static Long gracePeriodSeconds(HttpServletRequest request, NativeWebRequest webRequest,
                                           WebDataBinderFactory binders) throws Exception {
        String value = request.getParameter("gracePeriodSeconds");
        if (value == null) {
            return null;
        }
        MethodParameter declared = new MethodParameter(
                RequestOptionsResolver.class.getDeclaredMethod("gracePeriod", Long.class), 0);
        try {
            return binders.createBinder(webRequest, null, "gracePeriodSeconds")
                    .convertIfNecessary(value, Long.class, declared);
        } catch (TypeMismatchException e) {
            throw new MethodArgumentTypeMismatchException(value, e.getRequiredType(), "gracePeriodSeconds", declared,
                    e.getCause());
        }
    }

    @SuppressWarnings("unused")
    private static void gracePeriod(@RequestParam(required = false) Long gracePeriodSeconds) {}

    @Bean
    OperationCustomizer resourceOperationOptions() {
        return (Operation operation, HandlerMethod handler) -> {
            ResourceOperation verb = handler.getMethodAnnotation(ResourceOperation.class);
            if (verb != null) {
                verb.value().options.forEach(option -> operation.addParametersItem(parameter(option)));
            }
            return operation;
        };
    }

    /**
     * springdoc merges the list handler and the {@code ?watch=true} handler of a path into one operation and drops
     * the parameters they share only when equal as models; the ones added here are equal in the document but not
     * as models, so the first of each (in, name) stays, as it did when the handlers declared them.
     */
    @Bean
    OpenApiCustomizer distinctResourceOptions() {
        return api -> api.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
            if (op.getParameters() != null) {
                Set<String> seen = new java.util.HashSet<>();
                op.setParameters(new java.util.ArrayList<>(op.getParameters().stream()
                        .filter(p -> seen.add(p.getIn() + " " + p.getName())).toList()));
            }
        }));
    }

    private static Parameter parameter(String name) {
        String type = INT64.contains(name) ? "integer" : "string";
        Schema<Object> schema = new Schema<>().type(type).types(Set.of(type));
        if (INT64.contains(name)) {
            schema.format("int64");
        }
        return new Parameter().in(HEADERS.contains(name) ? "header" : "query").name(name).required(false)
                .schema(schema);
    }
}
