package dev.everynode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@EnableScheduling
public class EverynodeApplication {

    public static void main(String[] args) {
        SpringApplication.run(EverynodeApplication.class, args);
    }
}
